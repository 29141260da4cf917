package tensor

import "fmt"

// Tensor is a handle to Len elements starting at slot Off in a device
// arena. A float32 tensor (DType F32, the zero value) has one element per
// slot; a 16-bit tensor (F16, BF16) packs two elements per slot,
// little-endian (element 2k in the low half of slot k), in Slots() =
// (Len+1)/2 slots. The zero Tensor means "absent".
type Tensor struct {
	Off, Len int
	DType    DType
}

// Slice returns the sub-tensor of n elements starting at element off within
// t. A 16-bit tensor can only be sliced at an even off (a slot boundary).
func (t Tensor) Slice(off, n int) Tensor {
	if off < 0 || n < 0 || off+n > t.Len {
		panic("tensor: slice out of range")
	}
	if t.DType != F32 {
		if off%2 != 0 {
			panic(fmt.Sprintf("tensor: slice of a %v tensor at odd element %d (16-bit tensors are sliced at even elements)", t.DType, off))
		}
		return Tensor{t.Off + off/2, n, t.DType}
	}
	return Tensor{t.Off + off, n, F32}
}

// Slots is the number of arena slots t occupies.
func (t Tensor) Slots() int {
	if t.DType != F32 {
		return (t.Len + 1) / 2
	}
	return t.Len
}

// Absent reports whether t is the zero Tensor.
func (t Tensor) Absent() bool { return t.Len == 0 }

// Device computes every op that models need on tensors in its arena. Model
// code is written once against this interface.
//
// Shapes are given in the comments as [dims]; N is a number of rows (B*T
// for token activations).
type Device interface {
	// Name identifies the device in test and benchmark output.
	Name() string

	// Alloc reserves n slots (zeroed), aligned to 16 slots. Handles stay
	// valid until a Release to a mark taken before them.
	Alloc(n int) Tensor
	// Mark returns the current end of the arena, for Release.
	Mark() int
	// Release frees everything allocated after mark: scratch of one
	// evaluation or generation goes back to the arena.
	Release(mark int)
	// Upload copies src into dst; len(src) == dst.Len.
	Upload(dst Tensor, src []float32)
	// Alloc16 reserves n 16-bit elements of type dt (F16 or BF16), zeroed,
	// in (n+1)/2 slots aligned as Alloc's. Only weights are 16-bit: they
	// are read by Matmul, MatmulBackward (dinp) and Encoder (wte), which
	// widen each element to float32 exactly; every other op takes float32
	// tensors only and panics on a 16-bit one.
	Alloc16(n int, dt DType) Tensor
	// Upload16 copies the raw bit patterns src into the 16-bit tensor dst;
	// len(src) == dst.Len.
	Upload16(dst Tensor, src []uint16)
	// UploadInt32 stores src as int32 bit patterns in dst.
	UploadInt32(dst Tensor, src []int32)
	// Download copies src into dst; len(dst) == src.Len.
	Download(dst []float32, src Tensor)

	// Zero sets t to 0.
	Zero(t Tensor)
	// Copy sets dst = src; equal lengths.
	Copy(dst, src Tensor)
	// Add sets out = a + b for n slots; out may alias a or b.
	Add(out, a, b Tensor, n int)
	// Scale sets x *= s for n slots.
	Scale(x Tensor, s float32, n int)
	// SumSquares sets out[0] = sum of x[i]^2 over n slots.
	SumSquares(out, x Tensor, n int)

	// Encoder: out[b,t,:] = wte[tokens[b,t],:] + wpe[P+t,:].
	// out [B,T,C], tokens int32 [B,T], wte [V,C] (float32 or 16-bit),
	// wpe [maxT,C] or absent (no position embedding: out = wte rows).
	Encoder(out, tokens, wte, wpe Tensor, B, T, C, P int)
	// EncoderBackward: dwte[tokens[b,t],:] += dout[b,t,:]; dwpe[P+t,:] += dout[b,t,:].
	EncoderBackward(dwte, dwpe, dout, tokens Tensor, B, T, C, P int)

	// LayerNorm normalises each row of inp [N,C] and applies weight and
	// bias [C]; it saves mean [N] and rstd [N] for backward.
	LayerNorm(out, mean, rstd, inp, weight, bias Tensor, N, C int, eps float32)
	// LayerNormBackward accumulates dinp [N,C], dweight [C] and dbias [C].
	LayerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd Tensor, N, C int)

	// Matmul: out[N,OC] = inp[N,C] @ weight[OC,C]^T + bias[OC] (bias
	// optional; weight float32 or 16-bit).
	Matmul(out, inp, weight, bias Tensor, N, C, OC int)
	// MatmulBackward accumulates dinp[N,C] += dout[N,OC] @ weight[OC,C],
	// dweight[OC,C] += dout^T @ inp and dbias[OC] += sum over rows of dout.
	// A 16-bit weight is frozen: dweight must then be absent.
	MatmulBackward(dinp, dweight, dbias, dout, inp, weight Tensor, N, C, OC int)

	// GELU (tanh approximation, "gelu_new"): out = gelu(inp), n slots.
	GELU(out, inp Tensor, n int)
	// GELUBackward accumulates dinp += gelu'(inp) * dout.
	GELUBackward(dinp, inp, dout Tensor, n int)
	// Tanh: out = tanh(inp), n slots.
	Tanh(out, inp Tensor, n int)
	// TanhBackward accumulates dinp += (1 - out^2) * dout, out = tanh(inp).
	TanhBackward(dinp, out, dout Tensor, n int)

	// RMSNorm: rstd[n] = 1/sqrt(sum_c inp[n,c]^2 / C + eps) and
	// out[n,c] = inp[n,c] * rstd[n] * weight[c]. out, inp [N,C]; rstd [N];
	// weight [C].
	RMSNorm(out, rstd, inp, weight Tensor, N, C int, eps float32)
	// RMSNormBackward accumulates dinp [N,C] and dweight [C].
	RMSNormBackward(dinp, dweight, dout, inp, weight, rstd Tensor, N, C int)

	// RoPE rotates, in place, the NH query heads and the KVH key heads
	// (columns 0 .. (NH+KVH)*HS) of every row of qkv [B,T,(NH+2*KVH)*HS];
	// values are untouched. cos, sin [T,HS/2]: row t is the position of
	// token t. Pairs (i, i+HS/2), i < HS/2 (Hugging Face rotate_half):
	//   x'[i]      = x[i]*cos[t,i]      - x[i+HS/2]*sin[t,i]
	//   x'[i+HS/2] = x[i+HS/2]*cos[t,i] + x[i]*sin[t,i]
	RoPE(qkv, cos, sin Tensor, B, T, NH, KVH, HS int)
	// RoPEBackward applies the transpose rotation (sin negated), in place,
	// to the same columns of dqkv.
	RoPEBackward(dqkv, cos, sin Tensor, B, T, NH, KVH, HS int)

	// SwiGLU: out[n,i] = silu(gateUp[n,i]) * gateUp[n,I+i], silu(g) =
	// g/(1+exp(-g)). gateUp [N,2I] (gate columns, then up columns); out [N,I].
	SwiGLU(out, gateUp Tensor, N, I int)
	// SwiGLUBackward accumulates dgateUp [N,2I].
	SwiGLUBackward(dgateUp, gateUp, dout Tensor, N, I int)

	// Attention is causal self-attention with grouped-query heads over qkv
	// [B,T,(NH+2*KVH)*HS]: NH query heads, then KVH key heads, then KVH
	// value heads, of HS slots each; query head h uses key/value head
	// h/(NH/KVH) (KVH divides NH; GPT-2 has KVH = NH). Every query also
	// sees P past positions shared by the batch: past key p of kv head g
	// is pastK[p*S+g*HS : +HS], its value pastV[p*S+g*HS : +HS] (S is the
	// row stride, so the views can point into a PEFT prefix or a key/value
	// cache). A real key t' is seen by query t iff t' <= t and
	// valid[b,t'] != 0 (valid [B,T], 1 or 0). Scores are scaled by
	// 1/sqrt(HS). It writes out [B,T,NH*HS] and the probabilities
	// att [B,NH,T,P+T] (past positions first).
	Attention(out, att, qkv, pastK, pastV, valid Tensor, B, T, NH, KVH, HS, P, S int)
	// AttentionBackward accumulates dqkv [B,T,(NH+2*KVH)*HS], dpastK and
	// dpastV (same strided layout as the inputs; summed over the batch),
	// using datt [B,NH,T,P+T] as scratch.
	AttentionBackward(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att Tensor, B, T, NH, KVH, HS, P, S int)

	// CrossEntropy: losses[i] = -log softmax(logits[i,:])[targets[i]] for
	// logits [N,V] and int32 targets [N]; a negative target gives loss 0.
	CrossEntropy(losses, logits, targets Tensor, N, V int)
	// CrossEntropyBackward sets dlogits[i,:] = dlosses[i] *
	// (softmax(logits[i,:]) - onehot(targets[i])). dlogits may alias logits.
	CrossEntropyBackward(dlogits, logits, targets, dlosses Tensor, N, V int)

	// AdamW updates params with torch.optim.AdamW semantics at step t (1-based):
	//   p -= lr*wd*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
	//   p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
	AdamW(params, grads, m, v Tensor, n int, lr, beta1, beta2, eps, wd float32, t int)
}
