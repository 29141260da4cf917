package model

import (
	"math"
	"math/rand/v2"

	"prefixtune/core/tensor"
)

// InitRandom draws fresh weights as Hugging Face does: matrices and
// embeddings from N(0, 0.02^2), norm weights 1 and every bias 0; GPT-2's
// two residual projections of each layer from N(0, (0.02/sqrt(2L))^2).
// 16-bit matrices get the draws rounded to their type.
func (m *Model) InitRandom(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x67707432)) // "gpt2"
	p, d := m.Params, m.Dev
	set := func(t tensor.Tensor, value func() float32) {
		if t.Absent() {
			return
		}
		v := make([]float32, t.Len)
		for i := range v {
			v[i] = value()
		}
		if t.DType != tensor.F32 {
			d.Upload16(t, to16(v, t.DType))
			return
		}
		d.Upload(t, v)
	}
	normal := func(std float64) func() float32 {
		return func() float32 { return float32(rng.NormFloat64() * std) }
	}
	one := func() float32 { return 1 }
	resid := 0.02
	if !m.Config.Llama() {
		resid /= math.Sqrt(2 * float64(m.Config.NLayer))
	}
	for _, t := range p.fields() { // the biases stay 0
		if t.DType == tensor.F32 && !t.Absent() {
			d.Zero(*t)
		}
	}
	for _, t := range []tensor.Tensor{p.WTE, p.WPE, p.QKVW, p.FCW} {
		set(t, normal(0.02))
	}
	for _, t := range []tensor.Tensor{p.AttProjW, p.FCProjW} {
		set(t, normal(resid))
	}
	set(p.LMHead, normal(0.02))
	for _, t := range []tensor.Tensor{p.LN1W, p.LN2W, p.LNFW} {
		set(t, one)
	}
}
