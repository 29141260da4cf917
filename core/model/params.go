package model

import "prefixtune/core/tensor"

// NumParamTensors is the number of tensors GPT-2's parameters are carved into.
const NumParamTensors = 16

// ParamSizes returns the number of floats in each parameter tensor, in the
// order of the fields of Params.
func ParamSizes(c Config) [NumParamTensors]int {
	V, C, L, maxT := c.VocabSize, c.NEmbd, c.NLayer, c.NPositions
	return [NumParamTensors]int{
		V * C,         // wte [V,C]
		maxT * C,      // wpe [maxT,C]
		L * C,         // ln1w [L,C]
		L * C,         // ln1b [L,C]
		L * 3 * C * C, // qkvw [L,3C,C]
		L * 3 * C,     // qkvb [L,3C]
		L * C * C,     // attprojw [L,C,C]
		L * C,         // attprojb [L,C]
		L * C,         // ln2w [L,C]
		L * C,         // ln2b [L,C]
		L * 4 * C * C, // fcw [L,4C,C]
		L * 4 * C,     // fcb [L,4C]
		L * C * 4 * C, // fcprojw [L,C,4C]
		L * C,         // fcprojb [L,C]
		C,             // lnfw [C]
		C,             // lnfb [C]
	}
}

// NumParams is the total number of parameters.
func NumParams(c Config) int {
	n := 0
	for _, s := range ParamSizes(c) {
		n += s
	}
	return n
}

// Params are views into one parameter tensor (or one gradient tensor of
// the same layout). Per-layer tensors are stacked along a leading L.
type Params struct {
	All                tensor.Tensor
	WTE, WPE           tensor.Tensor
	LN1W, LN1B         tensor.Tensor
	QKVW, QKVB         tensor.Tensor
	AttProjW, AttProjB tensor.Tensor
	LN2W, LN2B         tensor.Tensor
	FCW, FCB           tensor.Tensor
	FCProjW, FCProjB   tensor.Tensor
	LNFW, LNFB         tensor.Tensor
}

// fields lists the tensors of p in ParamSizes order.
func (p *Params) fields() [NumParamTensors]*tensor.Tensor {
	return [NumParamTensors]*tensor.Tensor{&p.WTE, &p.WPE, &p.LN1W, &p.LN1B, &p.QKVW, &p.QKVB,
		&p.AttProjW, &p.AttProjB, &p.LN2W, &p.LN2B, &p.FCW, &p.FCB, &p.FCProjW, &p.FCProjB, &p.LNFW, &p.LNFB}
}

// allocParams allocates one tensor for all parameters of c and carves it.
func allocParams(d tensor.Device, c Config) Params {
	sizes := ParamSizes(c)
	var p Params
	p.All = d.Alloc(NumParams(c))
	off := 0
	for i, f := range p.fields() {
		*f = p.All.Slice(off, sizes[i])
		off += sizes[i]
	}
	return p
}

// layer returns the l-th of L equal blocks of t.
func layer(t tensor.Tensor, l, L int) tensor.Tensor {
	n := t.Len / L
	return t.Slice(l*n, n)
}
