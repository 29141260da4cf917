package model

import "prefixtune/core/tensor"

// Shape is the largest batch an activation arena serves: B sequences of T
// tokens after P past positions (a prefix, or a key/value cache).
type Shape struct{ B, T, P int }

// NumActTensors is the number of activation tensors of a forward pass.
const NumActTensors = 23

// ActSizes returns the number of floats of each activation tensor, in the
// order of the fields of Acts. The backward pass's scratch follows.
func ActSizes(c Config, s Shape) [NumActTensors]int {
	B, T, P, C, L, NH, V := s.B, s.T, s.P, c.NEmbd, c.NLayer, c.NHead, c.VocabSize
	BT := B * T
	return [NumActTensors]int{
		BT,                       // tokens int32 [B,T]
		BT,                       // targets int32 [B,T]
		BT,                       // valid [B,T]
		BT * C,                   // encoded [B,T,C]
		L * BT * C,               // ln1 [L,B,T,C]
		L * BT,                   // ln1Mean [L,B,T]
		L * BT,                   // ln1Rstd [L,B,T]
		L * BT * 3 * C,           // qkv [L,B,T,3C]
		L * BT * C,               // atty [L,B,T,C]
		L * B * NH * T * (P + T), // att [L,B,NH,T,P+T]
		L * BT * C,               // attProj [L,B,T,C]
		L * BT * C,               // residual2 [L,B,T,C]
		L * BT * C,               // ln2 [L,B,T,C]
		L * BT,                   // ln2Mean [L,B,T]
		L * BT,                   // ln2Rstd [L,B,T]
		L * BT * 4 * C,           // fch [L,B,T,4C]
		L * BT * 4 * C,           // fchGelu [L,B,T,4C]
		L * BT * C,               // fcProj [L,B,T,C]
		L * BT * C,               // residual3 [L,B,T,C]
		BT * C,                   // lnf [B,T,C]
		BT,                       // lnfMean [B,T]
		BT,                       // lnfRstd [B,T]
		BT * V,                   // logits [B,T,V]; backward overwrites it with dlogits
	}
}

// NumGradTensors is the number of scratch tensors of the backward pass.
const NumGradTensors = 7

// GradSizes returns the sizes of the backward scratch, in the order of the
// fields of Grads. It holds one layer at a time.
func GradSizes(c Config, s Shape) [NumGradTensors]int {
	B, T, P, C, NH := s.B, s.T, s.P, c.NEmbd, c.NHead
	BT := B * T
	return [NumGradTensors]int{
		BT,                   // losses [B,T]; backward overwrites it with dlosses
		BT * C,               // dresidual [B,T,C]
		BT * C,               // dln [B,T,C], also datty
		BT * 3 * C,           // dqkv [B,T,3C]
		BT * 4 * C,           // dfch [B,T,4C]
		BT * 4 * C,           // dfchGelu [B,T,4C]
		B * NH * T * (P + T), // datt [B,NH,T,P+T]
	}
}

// Acts are the activations of one forward pass. Per-layer tensors are
// stacked along a leading L and sized for the arena's Shape; a smaller
// batch uses the beginning of each layer's block.
type Acts struct {
	Shape                      Shape
	Tokens, Targets, Valid     tensor.Tensor
	Encoded                    tensor.Tensor
	LN1, LN1Mean, LN1Rstd      tensor.Tensor
	QKV, Atty, Att, AttProj    tensor.Tensor
	Residual2                  tensor.Tensor
	LN2, LN2Mean, LN2Rstd      tensor.Tensor
	FCH, FCHGelu, FCProj       tensor.Tensor
	Residual3                  tensor.Tensor
	LNF, LNFMean, LNFRstd      tensor.Tensor
	Logits                     tensor.Tensor
	Losses, DResidual, DLN     tensor.Tensor
	DQKV, DFCH, DFCHGelu, DAtt tensor.Tensor
}

// NewActs allocates the activations and backward scratch for batches up to s.
func NewActs(d tensor.Device, c Config, s Shape) *Acts {
	a := &Acts{Shape: s}
	fwd := []*tensor.Tensor{&a.Tokens, &a.Targets, &a.Valid, &a.Encoded, &a.LN1, &a.LN1Mean, &a.LN1Rstd,
		&a.QKV, &a.Atty, &a.Att, &a.AttProj, &a.Residual2, &a.LN2, &a.LN2Mean, &a.LN2Rstd,
		&a.FCH, &a.FCHGelu, &a.FCProj, &a.Residual3, &a.LNF, &a.LNFMean, &a.LNFRstd, &a.Logits}
	bwd := []*tensor.Tensor{&a.Losses, &a.DResidual, &a.DLN, &a.DQKV, &a.DFCH, &a.DFCHGelu, &a.DAtt}
	fs, gs := ActSizes(c, s), GradSizes(c, s)
	sizes := append(fs[:], gs[:]...)
	all, off := d.Alloc(NumActs(c, s)), 0
	for i, f := range append(fwd, bwd...) {
		*f = all.Slice(off, sizes[i])
		off += sizes[i]
	}
	return a
}

// NumActs is the number of floats NewActs allocates.
func NumActs(c Config, s Shape) int {
	n := 0
	for _, x := range ActSizes(c, s) {
		n += x
	}
	for _, x := range GradSizes(c, s) {
		n += x
	}
	return n
}
