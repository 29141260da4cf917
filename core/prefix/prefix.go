package prefix

import (
	"prefixtune/core/model"
	"prefixtune/core/tensor"
)

// Prefix is a trainable prefix for one model on one device.
type Prefix struct {
	P, E  int // virtual tokens; MLP hidden size (0: direct)
	Width int // L*2*D
	C     int // D = HS*KVH (PEFT's token_dim), the width of the MLP's input embedding

	Params tensor.Tensor // every trainable float, layout in doc.go
	Grads  tensor.Tensor // gradient of Params
	Out    model.Prefix  // the rows the model attends to
	DOut   tensor.Tensor // gradient of Out.Rows (Grads itself when direct)

	// MLP views into Params and Grads, and its activations.
	emb, w1, b1, w2, b2      tensor.Tensor
	demb, dw1, db1, dw2, db2 tensor.Tensor
	h, th, dth, dh           tensor.Tensor // [P,E] pre-tanh, tanh, their gradients
}

// New allocates a zero prefix of P rows for m; E > 0 adds the MLP
// reparameterisation with hidden size E.
func New(m *model.Model, P, E int) *Prefix {
	d, C, W := m.Dev, m.Config.TokenDim(), m.Config.PrefixWidth()
	p := &Prefix{P: P, E: E, Width: W, C: C}
	if E == 0 {
		p.Params, p.Grads = d.Alloc(P*W), d.Alloc(P*W)
		p.Out, p.DOut = model.Prefix{Rows: p.Params, P: P}, p.Grads
		return p
	}
	sizes := []int{P * C, E * C, E, W * E, W}
	n := P*C + E*C + E + W*E + W
	p.Params, p.Grads = d.Alloc(n), d.Alloc(n)
	carve := func(all tensor.Tensor, dst ...*tensor.Tensor) {
		off := 0
		for i, t := range dst {
			*t = all.Slice(off, sizes[i])
			off += sizes[i]
		}
	}
	carve(p.Params, &p.emb, &p.w1, &p.b1, &p.w2, &p.b2)
	carve(p.Grads, &p.demb, &p.dw1, &p.db1, &p.dw2, &p.db2)
	p.h, p.th, p.dth, p.dh = d.Alloc(P*E), d.Alloc(P*E), d.Alloc(P*E), d.Alloc(P*E)
	p.Out, p.DOut = model.Prefix{Rows: d.Alloc(P * W), P: P}, d.Alloc(P*W)
	return p
}

// NumParams is the number of trainable floats.
func (p *Prefix) NumParams() int { return p.Params.Len }

// Forward computes Out from Params (a no-op when direct).
func (p *Prefix) Forward(d tensor.Device) {
	if p.E == 0 {
		return
	}
	d.Matmul(p.h, p.emb, p.w1, p.b1, p.P, p.C, p.E)
	d.Tanh(p.th, p.h, p.P*p.E)
	d.Matmul(p.Out.Rows, p.th, p.w2, p.b2, p.P, p.E, p.Width)
}

// ZeroGrads clears Grads and DOut before a backward pass.
func (p *Prefix) ZeroGrads(d tensor.Device) {
	d.Zero(p.Grads)
	if p.E > 0 {
		d.Zero(p.DOut)
	}
}

// Backward turns DOut into Grads (a no-op when direct).
func (p *Prefix) Backward(d tensor.Device) {
	if p.E == 0 {
		return
	}
	d.Zero(p.dth)
	d.MatmulBackward(p.dth, p.dw2, p.db2, p.DOut, p.th, p.w2, p.P, p.E, p.Width)
	d.Zero(p.dh)
	d.TanhBackward(p.dh, p.th, p.dth, p.P*p.E)
	d.MatmulBackward(p.demb, p.dw1, p.db1, p.dh, p.emb, p.w1, p.P, p.C, p.E)
}

// Rows returns the prefix rows [P, L*2*D] (PEFT's prompt_embeddings).
func (p *Prefix) Rows(d tensor.Device) []float32 {
	p.Forward(d)
	out := make([]float32, p.Out.Rows.Len)
	d.Download(out, p.Out.Rows)
	return out
}

// MLP returns the MLP's tensors (embedding, w1, b1, w2, b2), for tests and
// checkpoints; nil when direct.
func (p *Prefix) MLP() []tensor.Tensor {
	if p.E == 0 {
		return nil
	}
	return []tensor.Tensor{p.emb, p.w1, p.b1, p.w2, p.b2}
}

// MLPGrads returns the gradients matching MLP(); nil when direct.
func (p *Prefix) MLPGrads() []tensor.Tensor {
	if p.E == 0 {
		return nil
	}
	return []tensor.Tensor{p.demb, p.dw1, p.db1, p.dw2, p.db2}
}
