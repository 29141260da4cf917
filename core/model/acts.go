package model

import "prefixtune/core/tensor"

// Shape is the largest batch an activation arena serves: B sequences of T
// tokens after P past positions (a prefix, or a key/value cache), packing
// to at most N rows (0: B*T) with at most H output positions
// (Batch.Outputs; 0: B*T). Activations of the packed rows are sized by N,
// attention's by N*(P+T), and the output layer's, [H,V] logits the largest
// of them, by H.
//
// Weights says that Backward will compute weight gradients (pretraining).
// Only then does every layer keep the inputs of its matrix products (the
// normed rows, the attention output, the activation's output) and their
// outputs before the residual sum; with the weights frozen, Backward reads
// none of them, so one layer's worth is reused by every layer.
type Shape struct {
	B, T, P, N, H int
	Weights       bool
}

// kept is the number of layers whose matmul inputs and outputs an arena of
// s keeps: all L when weight gradients are computed, else one.
func (s Shape) kept(L int) int {
	if s.Weights {
		return L
	}
	return 1
}

// rows is the most rows a batch of s packs to.
func (s Shape) rows() int { return bound(s.N, s.B*s.T) }

// outputs is the most output positions a batch of s may have.
func (s Shape) outputs() int { return bound(s.H, s.rows()) }

// bound is n when it is set (above 0), at most all; else all.
func bound(n, all int) int {
	if n > 0 {
		return min(n, all)
	}
	return all
}

// NumActTensors is the number of activation tensors of a forward pass.
const NumActTensors = 24

// ActSizes returns the number of floats of each activation tensor, in the
// order of the fields of Acts. The backward pass's scratch follows. K is
// the number of layers kept of the tensors only weight gradients need
// (Shape.Weights: L, else 1). Llama has no norm means (RMSNorm) and its
// fch is the stacked gate and up projections, fchGelu their SwiGLU.
func ActSizes(c Config, s Shape) [NumActTensors]int {
	P, T, C, L, NH, V := s.P, s.T, c.NEmbd, c.NLayer, c.NHead, c.VocabSize
	QKV, A, F, FC := c.QKVWidth(), NH*c.HeadSize(), c.Inner(), c.fcWidth()
	N, H, K := s.rows(), s.outputs(), s.kept(L)
	mean := N // LayerNorm's means; RMSNorm has none
	if c.Llama() {
		mean = 0
	}
	// Shapes are of a packed batch: N rows, a span of B' sequences of T'
	// positions taking B'*NH*T'*(P+T') floats of att.
	return [NumActTensors]int{
		N,                    // tokens int32 [N]
		H,                    // targets int32 [Nh]: at the output positions
		N,                    // valid [N]
		N * C,                // encoded [N,C]
		K * N * C,            // ln1 [K,N,C]
		L * mean,             // ln1Mean [L,N]
		L * N,                // ln1Rstd [L,N]
		L * N * QKV,          // qkv [L,N,(NH+2*KVH)*HS] (Llama: q and k rotated)
		K * N * A,            // atty [K,N,NH*HS]
		L * NH * N * (P + T), // att [L, per span B',NH,T',P+T']
		K * N * C,            // attProj [K,N,C]
		L * N * C,            // residual2 [L,N,C]
		K * N * C,            // ln2 [K,N,C]
		L * mean,             // ln2Mean [L,N]
		L * N,                // ln2Rstd [L,N]
		L * N * FC,           // fch [L,N,4C]; Llama [L,N,2I] (gate, up)
		K * N * F,            // fchGelu [K,N,4C]; Llama [K,N,I] (SwiGLU)
		K * N * C,            // fcProj [K,N,C]
		L * N * C,            // residual3 [L,N,C]
		N * C,                // lnf [N,C]
		mean,                 // lnfMean [N]
		N,                    // lnfRstd [N]
		H * C,                // headIn [Nh,C]: lnf at the Nh <= H output positions
		H * V,                // logits [Nh,V]; backward overwrites it with dlogits
	}
}

// NumGradTensors is the number of scratch tensors of the backward pass.
const NumGradTensors = 7

// GradSizes returns the sizes of the backward scratch, in the order of the
// fields of Grads. It holds one layer at a time.
func GradSizes(c Config, s Shape) [NumGradTensors]int {
	T, P, C, NH := s.T, s.P, c.NEmbd, c.NHead
	N, A := s.rows(), NH*c.HeadSize()
	return [NumGradTensors]int{
		s.outputs(),      // losses [Nh]; backward overwrites it with dlosses
		N * C,            // dresidual [N,C]
		N * max(C, A),    // dln [N,C], also datty [N,NH*HS]
		N * c.QKVWidth(), // dqkv [N,(NH+2*KVH)*HS]
		N * c.fcWidth(),  // dfch [N,4C] or [N,2I]
		N * c.Inner(),    // dfchGelu [N,4C] or [N,I]
		NH * N * (P + T), // datt [per span B',NH,T',P+T']
	}
}

// Acts are the activations of one forward pass. Per-layer tensors are
// stacked along a leading L (K for LN1, Atty, AttProj, LN2, FCHGelu and
// FCProj: see Shape.Weights) and sized for the arena's Shape; a smaller
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

	// The layout of the batch Forward last ran, which Backward reuses:
	// its packing, and the packed rows and the targets of its outputs.
	packed      packing
	headRows    []int
	headTargets []int32
}

// kept returns the accessor of the tensors a keeps K layers of (LN1, Atty,
// AttProj, LN2, FCHGelu, FCProj): the first N rows of width floats of layer
// l, or of the one layer every layer shares when the weights are frozen.
func (a *Acts) kept(L, N int) func(t tensor.Tensor, l, width int) tensor.Tensor {
	K := a.Shape.kept(L)
	return func(t tensor.Tensor, l, width int) tensor.Tensor {
		return layer(t, l%K, K).Slice(0, N*width)
	}
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
