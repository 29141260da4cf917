package model

import (
	"fmt"

	"prefixtune/core/tensor"
)

// Model is a GPT-2 or Llama language model whose parameters live on a
// device. The family is Config.ModelType; everything outside this package
// uses a Model without knowing it.
type Model struct {
	Config Config
	Dev    tensor.Device
	Params Params
	// Grads has the layout of Params once EnableWeightGrads was called.
	Grads Params

	cos, sin tensor.Tensor // Llama's rotary tables [NPositions, HS/2]
}

// New allocates a zeroed model for c on d, with matrices of type c.Weights.
func New(d tensor.Device, c Config) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: c, Dev: d, Params: allocParams(d, c)}
	m.uploadRope()
	return m, nil
}

// EnableWeightGrads allocates gradients for every parameter, so Backward
// computes them (for pretraining and full fine-tuning). 16-bit weights are
// frozen: it panics on a model loaded with 16-bit weights.
func (m *Model) EnableWeightGrads() {
	if m.Config.Weights != tensor.F32 {
		panic(fmt.Sprintf("model: the weights are %v and frozen: only a float32 model can be trained", m.Config.Weights))
	}
	if m.Grads.All.Absent() {
		m.Grads = allocParams(m.Dev, m.Config)
	}
}

// Batch is the input of one forward pass, laid out [B,T] row-major.
// Targets[i] is the token that position i must predict, or -1.
type Batch struct {
	B, T    int
	Tokens  []int32
	Targets []int32
	Valid   []float32 // 1 for real tokens, 0 for padding
	// Outputs lists the positions whose logits Forward computes, ascending;
	// nil means every position with a target, which is all a loss needs.
	// (Generation wants only its last position.)
	Outputs []int
}

// Prefix is P past rows of Config.PrefixWidth() floats in PEFT's layout
// (see doc.go). The zero Prefix has no rows.
type Prefix struct {
	Rows tensor.Tensor
	P    int
}

// kv returns the strided key and value views of layer l of a prefix.
func (m *Model) kv(p Prefix, l int) (k, v tensor.Tensor) {
	if p.P == 0 {
		return tensor.Tensor{}, tensor.Tensor{}
	}
	D := m.Config.TokenDim()
	return p.Rows.Slice(2*l*D, p.Rows.Len-2*l*D), p.Rows.Slice((2*l+1)*D, p.Rows.Len-(2*l+1)*D)
}

// check reports a batch that does not fit the arena or the model.
func (m *Model) check(a *Acts, b Batch, P int) error {
	switch {
	case b.B > a.Shape.B || b.T > a.Shape.T || P > a.Shape.P:
		return fmt.Errorf("batch %dx%d after %d past positions exceeds the arena's %+v", b.B, b.T, P, a.Shape)
	case P+b.T > m.Config.NPositions:
		return fmt.Errorf("%d prefix positions + %d tokens exceed the model's %d positions: shorten the sequence length or the prefix", P, b.T, m.Config.NPositions)
	case len(b.Tokens) != b.B*b.T || len(b.Targets) != b.B*b.T || len(b.Valid) != b.B*b.T:
		return fmt.Errorf("batch arrays do not match %dx%d", b.B, b.T)
	}
	for j, i := range b.Outputs {
		if i < 0 || i >= b.B*b.T || j > 0 && i <= b.Outputs[j-1] {
			return fmt.Errorf("output positions %v are not ascending positions of a %dx%d batch", b.Outputs, b.B, b.T)
		}
	}
	return nil
}

// head is the output embedding: lm_head when untied, else wte.
func (m *Model) head(p Params) tensor.Tensor {
	if m.Config.Untied {
		return p.LMHead
	}
	return p.WTE
}

// norm is the family's normalisation of inp [N,C]: LayerNorm (GPT-2) or
// RMSNorm (Llama, without mean and bias).
func (m *Model) norm(out, mean, rstd, inp, w, b tensor.Tensor, N int) {
	c := m.Config
	if c.Llama() {
		m.Dev.RMSNorm(out, rstd, inp, w, N, c.NEmbd, float32(c.LayerNorm))
		return
	}
	m.Dev.LayerNorm(out, mean, rstd, inp, w, b, N, c.NEmbd, float32(c.LayerNorm))
}

// normBackward accumulates the gradients of norm.
func (m *Model) normBackward(dinp, dw, db, dout, inp, w, mean, rstd tensor.Tensor, N int) {
	if m.Config.Llama() {
		m.Dev.RMSNormBackward(dinp, dw, dout, inp, w, rstd, N, m.Config.NEmbd)
		return
	}
	m.Dev.LayerNormBackward(dinp, dw, db, dout, inp, w, mean, rstd, N, m.Config.NEmbd)
}

// act is the MLP's nonlinearity: GELU of fch [N,4C] (GPT-2), or SwiGLU of
// the stacked gate and up projections fch [N,2I] into out [N,I] (Llama).
func (m *Model) act(out, fch tensor.Tensor, N int) {
	if m.Config.Llama() {
		m.Dev.SwiGLU(out, fch, N, m.Config.Intermediate)
		return
	}
	m.Dev.GELU(out, fch, N*4*m.Config.NEmbd)
}

// actBackward accumulates the gradient of act into dfch.
func (m *Model) actBackward(dfch, fch, dout tensor.Tensor, N int) {
	if m.Config.Llama() {
		m.Dev.SwiGLUBackward(dfch, fch, dout, N, m.Config.Intermediate)
		return
	}
	m.Dev.GELUBackward(dfch, fch, dout, N*4*m.Config.NEmbd)
}
