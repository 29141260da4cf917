package model

import "prefixtune/core/tensor"

// NumParamTensors is the number of tensors the parameters are carved into.
const NumParamTensors = 17

// ParamSizes returns the number of elements in each parameter tensor, in
// the order of the fields of Params. A tensor the family lacks has size 0
// (absent): Llama has no biases and no position embedding, GPT-2 and tied
// Llama models no separate lm_head.
func ParamSizes(c Config) [NumParamTensors]int {
	V, C, L, maxT := c.VocabSize, c.NEmbd, c.NLayer, c.NPositions
	QKV, A, F, FC := c.QKVWidth(), c.NHead*c.HeadSize(), c.Inner(), c.fcWidth()
	gpt2 := func(n int) int {
		if c.Llama() {
			return 0
		}
		return n
	}
	head := 0
	if c.Untied {
		head = V * C
	}
	return [NumParamTensors]int{
		V * C,          // wte [V,C]
		gpt2(maxT * C), // wpe [maxT,C]
		L * C,          // ln1w [L,C]
		gpt2(L * C),    // ln1b [L,C]
		L * QKV * C,    // qkvw [L,(NH+2*KVH)*HS,C]: q_proj, k_proj, v_proj rows
		gpt2(L * QKV),  // qkvb [L,3C]
		L * C * A,      // attprojw [L,C,NH*HS]
		gpt2(L * C),    // attprojb [L,C]
		L * C,          // ln2w [L,C]
		gpt2(L * C),    // ln2b [L,C]
		L * FC * C,     // fcw [L,4C,C]; Llama [L,2I,C]: gate_proj rows, then up_proj rows
		gpt2(L * FC),   // fcb [L,4C]
		L * C * F,      // fcprojw [L,C,4C]; Llama down_proj [L,C,I]
		gpt2(L * C),    // fcprojb [L,C]
		C,              // lnfw [C]
		gpt2(C),        // lnfb [C]
		head,           // lmhead [V,C] (untied Llama)
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

// Params are views into the parameters (or gradients of the same layout).
// Per-layer tensors are stacked along a leading L.
type Params struct {
	// All is every parameter in one float32 tensor; absent when the
	// matrices are 16-bit (then they live in one 16-bit tensor and the norm
	// weights in a float32 one).
	All                tensor.Tensor
	WTE, WPE           tensor.Tensor
	LN1W, LN1B         tensor.Tensor
	QKVW, QKVB         tensor.Tensor
	AttProjW, AttProjB tensor.Tensor
	LN2W, LN2B         tensor.Tensor
	FCW, FCB           tensor.Tensor
	FCProjW, FCProjB   tensor.Tensor
	LNFW, LNFB         tensor.Tensor
	LMHead             tensor.Tensor
}

// fields lists the tensors of p in ParamSizes order.
func (p *Params) fields() [NumParamTensors]*tensor.Tensor {
	return [NumParamTensors]*tensor.Tensor{&p.WTE, &p.WPE, &p.LN1W, &p.LN1B, &p.QKVW, &p.QKVB,
		&p.AttProjW, &p.AttProjB, &p.LN2W, &p.LN2B, &p.FCW, &p.FCB, &p.FCProjW, &p.FCProjB, &p.LNFW, &p.LNFB, &p.LMHead}
}

// matrix reports whether field i of fields() is a weight matrix: the
// tensors kept 16-bit when a checkpoint stores them so.
func matrix(i int) bool {
	switch i {
	case 0, 4, 6, 10, 12, 16: // wte, qkvw, attprojw, fcw, fcprojw, lmhead
		return true
	}
	return false
}

// split returns the number of 16-bit elements (the matrices) and of
// float32 ones of the parameters of c.
func split(c Config) (n16, n32 int) {
	if c.Weights == tensor.F32 {
		return 0, NumParams(c)
	}
	for i, s := range ParamSizes(c) {
		if matrix(i) {
			n16 += s
		} else {
			n32 += s
		}
	}
	return n16, n32
}

// WeightBytes is the size of what New allocates for c: the parameters
// (16-bit matrices at two bytes an element) and Llama's rotary tables.
func WeightBytes(c Config) int64 {
	n16, n32 := split(c)
	slots := (n16+1)/2 + n32
	if c.Llama() {
		slots += 2 * c.NPositions * (c.HeadSize() / 2)
	}
	return 4 * int64(slots)
}

// allocParams allocates the parameters of c with matrices of type
// c.Weights and carves them. With F32 everything is one tensor, All.
func allocParams(d tensor.Device, c Config) Params {
	sizes := ParamSizes(c)
	var p Params
	if c.Weights == tensor.F32 {
		p.All = d.Alloc(NumParams(c))
		off := 0
		for i, f := range p.fields() {
			*f = p.All.Slice(off, sizes[i])
			off += sizes[i]
		}
		return p
	}
	// Every matrix has a multiple of C elements; 16-bit models have an
	// even C, so each starts at an even element (a slot boundary).
	n16, n32 := split(c)
	mats, rest := d.Alloc16(n16, c.Weights), d.Alloc(n32)
	off16, off32 := 0, 0
	for i, f := range p.fields() {
		if matrix(i) {
			*f = mats.Slice(off16, sizes[i])
			off16 += sizes[i]
		} else {
			*f = rest.Slice(off32, sizes[i])
			off32 += sizes[i]
		}
	}
	return p
}

// layer returns the l-th of L equal blocks of t.
func layer(t tensor.Tensor, l, L int) tensor.Tensor {
	n := t.Len / L
	return t.Slice(l*n, n)
}
