package model

import "prefixtune/core/tensor"

// Shape is the largest batch an activation arena serves: B sequences of T
// tokens after P past positions (a prefix, or a key/value cache), with at
// most H output positions (Batch.Outputs; 0: B*T). The output layer's
// tensors, [H,V] logits the largest of them, are sized by H.
type Shape struct{ B, T, P, H int }

// outputs is the most output positions a batch of s may have.
func (s Shape) outputs() int {
	if s.H > 0 {
		return min(s.H, s.B*s.T)
	}
	return s.B * s.T
}

// NumActTensors is the number of activation tensors of a forward pass.
const NumActTensors = 24

// ActSizes returns the number of floats of each activation tensor, in the
// order of the fields of Acts. The backward pass's scratch follows. Llama
// has no norm means (RMSNorm) and its fch is the stacked gate and up
// projections, fchGelu their SwiGLU.
func ActSizes(c Config, s Shape) [NumActTensors]int {
	B, T, P, C, L, NH, V := s.B, s.T, s.P, c.NEmbd, c.NLayer, c.NHead, c.VocabSize
	QKV, A, F, FC := c.QKVWidth(), NH*c.HeadSize(), c.Inner(), c.fcWidth()
	BT, H := B*T, s.outputs()
	mean := BT // LayerNorm's means; RMSNorm has none
	if c.Llama() {
		mean = 0
	}
	return [NumActTensors]int{
		BT,                       // tokens int32 [B,T]
		BT,                       // targets int32 [B,T]
		BT,                       // valid [B,T]
		BT * C,                   // encoded [B,T,C]
		L * BT * C,               // ln1 [L,B,T,C]
		L * mean,                 // ln1Mean [L,B,T]
		L * BT,                   // ln1Rstd [L,B,T]
		L * BT * QKV,             // qkv [L,B,T,(NH+2*KVH)*HS] (Llama: q and k rotated)
		L * BT * A,               // atty [L,B,T,NH*HS]
		L * B * NH * T * (P + T), // att [L,B,NH,T,P+T]
		L * BT * C,               // attProj [L,B,T,C]
		L * BT * C,               // residual2 [L,B,T,C]
		L * BT * C,               // ln2 [L,B,T,C]
		L * mean,                 // ln2Mean [L,B,T]
		L * BT,                   // ln2Rstd [L,B,T]
		L * BT * FC,              // fch [L,B,T,4C]; Llama [L,B,T,2I] (gate, up)
		L * BT * F,               // fchGelu [L,B,T,4C]; Llama [L,B,T,I] (SwiGLU)
		L * BT * C,               // fcProj [L,B,T,C]
		L * BT * C,               // residual3 [L,B,T,C]
		BT * C,                   // lnf [B,T,C]
		mean,                     // lnfMean [B,T]
		BT,                       // lnfRstd [B,T]
		H * C,                    // headIn [Nh,C]: lnf at the Nh <= H output positions
		H * V,                    // logits [Nh,V]; backward overwrites it with dlogits
	}
}

// NumGradTensors is the number of scratch tensors of the backward pass.
const NumGradTensors = 7

// GradSizes returns the sizes of the backward scratch, in the order of the
// fields of Grads. It holds one layer at a time.
func GradSizes(c Config, s Shape) [NumGradTensors]int {
	B, T, P, C, NH := s.B, s.T, s.P, c.NEmbd, c.NHead
	BT, A := B*T, NH*c.HeadSize()
	return [NumGradTensors]int{
		s.outputs(),          // losses [Nh]; backward overwrites it with dlosses
		BT * C,               // dresidual [B,T,C]
		BT * max(C, A),       // dln [B,T,C], also datty [B,T,NH*HS]
		BT * c.QKVWidth(),    // dqkv [B,T,(NH+2*KVH)*HS]
		BT * c.fcWidth(),     // dfch [B,T,4C] or [B,T,2I]
		BT * c.Inner(),       // dfchGelu [B,T,4C] or [B,T,I]
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
	HeadIn, Logits             tensor.Tensor
	Losses, DResidual, DLN     tensor.Tensor
	DQKV, DFCH, DFCHGelu, DAtt tensor.Tensor

	// HostLosses [Nh] is Forward's download of Losses, on the host.
	HostLosses []float32
}

// NewActs allocates the activations and backward scratch for batches up to s.
func NewActs(d tensor.Device, c Config, s Shape) *Acts {
	a := &Acts{Shape: s, HostLosses: make([]float32, s.outputs())}
	fwd := []*tensor.Tensor{&a.Tokens, &a.Targets, &a.Valid, &a.Encoded, &a.LN1, &a.LN1Mean, &a.LN1Rstd,
		&a.QKV, &a.Atty, &a.Att, &a.AttProj, &a.Residual2, &a.LN2, &a.LN2Mean, &a.LN2Rstd,
		&a.FCH, &a.FCHGelu, &a.FCProj, &a.Residual3, &a.LNF, &a.LNFMean, &a.LNFRstd, &a.HeadIn, &a.Logits}
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
