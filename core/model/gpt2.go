package model

import (
	"fmt"

	"prefixtune/core/tensor"
)

// GPT2 is a GPT-2 language model whose parameters live on a device.
type GPT2 struct {
	Config Config
	Dev    tensor.Device
	Params Params
	// Grads has the layout of Params once EnableWeightGrads was called.
	Grads Params
}

// New allocates a zeroed GPT-2 for c on d.
func New(d tensor.Device, c Config) (*GPT2, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &GPT2{Config: c, Dev: d, Params: allocParams(d, c)}, nil
}

// EnableWeightGrads allocates gradients for every parameter, so Backward
// computes them (for pretraining and full fine-tuning).
func (m *GPT2) EnableWeightGrads() {
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
}

// Prefix is P past rows of L*2*C floats in PEFT's layout (see doc.go).
// The zero Prefix has no rows.
type Prefix struct {
	Rows tensor.Tensor
	P    int
}

// kv returns the strided key and value views of layer l of a prefix.
func (m *GPT2) kv(p Prefix, l int) (k, v tensor.Tensor) {
	if p.P == 0 {
		return tensor.Tensor{}, tensor.Tensor{}
	}
	C := m.Config.NEmbd
	return p.Rows.Slice(2*l*C, p.Rows.Len-2*l*C), p.Rows.Slice((2*l+1)*C, p.Rows.Len-(2*l+1)*C)
}

// check reports a batch that does not fit the arena or the model.
func (m *GPT2) check(a *Acts, b Batch, P int) error {
	switch {
	case b.B > a.Shape.B || b.T > a.Shape.T || P > a.Shape.P:
		return fmt.Errorf("batch %dx%d after %d past positions exceeds the arena's %+v", b.B, b.T, P, a.Shape)
	case P+b.T > m.Config.NPositions:
		return fmt.Errorf("%d prefix positions + %d tokens exceed the model's %d positions: shorten the sequence length or the prefix", P, b.T, m.Config.NPositions)
	case len(b.Tokens) != b.B*b.T || len(b.Targets) != b.B*b.T || len(b.Valid) != b.B*b.T:
		return fmt.Errorf("batch arrays do not match %dx%d", b.B, b.T)
	}
	return nil
}

// Forward runs the model on b after the prefix and leaves the logits and
// per-position losses (0 where the target is -1) in a. It returns the sum
// of the losses and the number of targets.
func (m *GPT2) Forward(a *Acts, pre Prefix, b Batch) (lossSum float64, n int, err error) {
	if err := m.check(a, b, pre.P); err != nil {
		return 0, 0, err
	}
	d, c, p := m.Dev, m.Config, m.Params
	B, T, P, C, L, NH, V := b.B, b.T, pre.P, c.NEmbd, c.NLayer, c.NHead, c.VocabSize
	N, S := B*T, c.PrefixWidth()
	at := func(t tensor.Tensor, l, width int) tensor.Tensor { return layer(t, l, L).Slice(0, N*width) }
	d.UploadInt32(a.Tokens.Slice(0, N), b.Tokens)
	d.UploadInt32(a.Targets.Slice(0, N), b.Targets)
	d.Upload(a.Valid.Slice(0, N), b.Valid)

	d.Encoder(a.Encoded, a.Tokens, p.WTE, p.WPE, B, T, C, P)
	residual := a.Encoded
	for l := 0; l < L; l++ {
		ln1, mean1, rstd1 := at(a.LN1, l, C), at(a.LN1Mean, l, 1), at(a.LN1Rstd, l, 1)
		qkv, atty, att := at(a.QKV, l, 3*C), at(a.Atty, l, C), layer(a.Att, l, L)
		attProj, res2 := at(a.AttProj, l, C), at(a.Residual2, l, C)
		ln2, mean2, rstd2 := at(a.LN2, l, C), at(a.LN2Mean, l, 1), at(a.LN2Rstd, l, 1)
		fch, fchGelu, fcProj, res3 := at(a.FCH, l, 4*C), at(a.FCHGelu, l, 4*C), at(a.FCProj, l, C), at(a.Residual3, l, C)
		pk, pv := m.kv(pre, l)

		d.LayerNorm(ln1, mean1, rstd1, residual, layer(p.LN1W, l, L), layer(p.LN1B, l, L), N, C, float32(c.LayerNorm))
		d.Matmul(qkv, ln1, layer(p.QKVW, l, L), layer(p.QKVB, l, L), N, C, 3*C)
		d.Attention(atty, att, qkv, pk, pv, a.Valid, B, T, NH, NH, C/NH, P, S)
		d.Matmul(attProj, atty, layer(p.AttProjW, l, L), layer(p.AttProjB, l, L), N, C, C)
		d.Add(res2, residual, attProj, N*C)
		d.LayerNorm(ln2, mean2, rstd2, res2, layer(p.LN2W, l, L), layer(p.LN2B, l, L), N, C, float32(c.LayerNorm))
		d.Matmul(fch, ln2, layer(p.FCW, l, L), layer(p.FCB, l, L), N, C, 4*C)
		d.GELU(fchGelu, fch, N*4*C)
		d.Matmul(fcProj, fchGelu, layer(p.FCProjW, l, L), layer(p.FCProjB, l, L), N, 4*C, C)
		d.Add(res3, res2, fcProj, N*C)
		residual = res3
	}
	d.LayerNorm(a.LNF, a.LNFMean, a.LNFRstd, residual, p.LNFW, p.LNFB, N, C, float32(c.LayerNorm))
	d.Matmul(a.Logits, a.LNF, p.WTE, tensor.Tensor{}, N, C, V)
	d.CrossEntropy(a.Losses, a.Logits, a.Targets, N, V)

	losses := make([]float32, N)
	d.Download(losses, a.Losses.Slice(0, N))
	for i, t := range b.Targets {
		if t >= 0 {
			lossSum += float64(losses[i])
			n++
		}
	}
	return lossSum, n, nil
}

// Backward back-propagates scale * (sum of the losses at targets) through
// the activations that Forward left in a (the logits are overwritten).
// It accumulates the prefix gradient into dprefix (same layout as
// pre.Rows; absent to skip) and, if enabled, the weight gradients into
// m.Grads.
func (m *GPT2) Backward(a *Acts, pre Prefix, dprefix tensor.Tensor, b Batch, scale float32) {
	d, c, p, g := m.Dev, m.Config, m.Params, m.Grads
	B, T, P, C, L, NH, V := b.B, b.T, pre.P, c.NEmbd, c.NLayer, c.NHead, c.VocabSize
	N, S := B*T, c.PrefixWidth()
	at := func(t tensor.Tensor, l, width int) tensor.Tensor { return layer(t, l, L).Slice(0, N*width) }
	gl := func(t tensor.Tensor, l int) tensor.Tensor { // layer l of a gradient, or absent
		if t.Absent() {
			return t
		}
		return layer(t, l, L)
	}
	weights := !g.All.Absent()

	dl := make([]float32, N)
	for i, t := range b.Targets {
		if t >= 0 {
			dl[i] = scale
		}
	}
	d.Upload(a.Losses.Slice(0, N), dl)
	d.CrossEntropyBackward(a.Logits, a.Logits, a.Targets, a.Losses, N, V)
	dres, dln := a.DResidual.Slice(0, N*C), a.DLN.Slice(0, N*C)
	d.Zero(dln)
	d.MatmulBackward(dln, g.WTE, tensor.Tensor{}, a.Logits.Slice(0, N*V), a.LNF, p.WTE, N, C, V)
	d.Zero(dres)
	d.LayerNormBackward(dres, g.LNFW, g.LNFB, dln, at(a.Residual3, L-1, C), p.LNFW, a.LNFMean, a.LNFRstd, N, C)

	for l := L - 1; l >= 0; l-- {
		residual := a.Encoded
		if l > 0 {
			residual = at(a.Residual3, l-1, C)
		}
		dqkv, dfch, dfchGelu := a.DQKV.Slice(0, N*3*C), a.DFCH.Slice(0, N*4*C), a.DFCHGelu.Slice(0, N*4*C)
		pk, pv := m.kv(pre, l)
		var dpk, dpv tensor.Tensor
		if !dprefix.Absent() && P > 0 {
			dpk, dpv = m.kv(Prefix{dprefix, P}, l)
		}

		// residual3 = residual2 + fcProj: dres flows to both.
		d.Zero(dfchGelu)
		d.MatmulBackward(dfchGelu, gl(g.FCProjW, l), gl(g.FCProjB, l), dres, at(a.FCHGelu, l, 4*C), layer(p.FCProjW, l, L), N, 4*C, C)
		d.Zero(dfch)
		d.GELUBackward(dfch, at(a.FCH, l, 4*C), dfchGelu, N*4*C)
		d.Zero(dln)
		d.MatmulBackward(dln, gl(g.FCW, l), gl(g.FCB, l), dfch, at(a.LN2, l, C), layer(p.FCW, l, L), N, C, 4*C)
		d.LayerNormBackward(dres, gl(g.LN2W, l), gl(g.LN2B, l), dln, at(a.Residual2, l, C), layer(p.LN2W, l, L), at(a.LN2Mean, l, 1), at(a.LN2Rstd, l, 1), N, C)

		// residual2 = residual + attProj.
		datty := dln
		d.Zero(datty)
		d.MatmulBackward(datty, gl(g.AttProjW, l), gl(g.AttProjB, l), dres, at(a.Atty, l, C), layer(p.AttProjW, l, L), N, C, C)
		if l == 0 && !weights {
			// Nothing below the first attention needs a gradient.
			d.AttentionBackward(tensor.Tensor{}, dpk, dpv, a.DAtt, datty, at(a.QKV, l, 3*C), pk, pv, layer(a.Att, l, L), B, T, NH, NH, C/NH, P, S)
			return
		}
		d.Zero(dqkv)
		d.AttentionBackward(dqkv, dpk, dpv, a.DAtt, datty, at(a.QKV, l, 3*C), pk, pv, layer(a.Att, l, L), B, T, NH, NH, C/NH, P, S)
		dln1 := dln
		d.Zero(dln1)
		d.MatmulBackward(dln1, gl(g.QKVW, l), gl(g.QKVB, l), dqkv, at(a.LN1, l, C), layer(p.QKVW, l, L), N, C, 3*C)
		d.LayerNormBackward(dres, gl(g.LN1W, l), gl(g.LN1B, l), dln1, residual, layer(p.LN1W, l, L), at(a.LN1Mean, l, 1), at(a.LN1Rstd, l, 1), N, C)
	}
	d.EncoderBackward(g.WTE, g.WPE, dres, a.Tokens, B, T, C, P)
}
