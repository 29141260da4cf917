package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Finite-difference checks of every backward op of the reference device:
// for a random cotangent r, loss = sum(forward(x) * r), and the analytic
// gradient from the backward op must match central differences.

type gradCase struct {
	d   *CPU
	rng *rand.Rand
}

func newGradCase() *gradCase { return &gradCase{NewCPU(), rand.New(rand.NewPCG(3, 4))} }

func (g *gradCase) normal(n int) Tensor {
	t := g.d.Alloc(n)
	for i, f := 0, g.d.F(t); i < n; i++ {
		f[i] = float32(g.rng.NormFloat64())
	}
	return t
}

// dot returns sum(a*b) in float64.
func (g *gradCase) dot(a, b Tensor) float64 {
	var s float64
	for i, x := range g.d.F(a) {
		s += float64(x) * float64(g.d.F(b)[i])
	}
	return s
}

// check compares grad with central differences of loss in x.
func (g *gradCase) check(t *testing.T, name string, x, grad Tensor, loss func() float64) {
	t.Helper()
	const eps = 1e-2
	xs, gs := g.d.F(x), g.d.F(grad)
	var maxGrad, maxErr float64
	for i := range xs {
		orig := xs[i]
		xs[i] = orig + eps
		lp := loss()
		xs[i] = orig - eps
		lm := loss()
		xs[i] = orig
		num := (lp - lm) / (2 * eps)
		maxGrad = max(maxGrad, math.Abs(num))
		maxErr = max(maxErr, math.Abs(num-float64(gs[i])))
	}
	if rel := maxErr / max(1e-3, maxGrad); rel > 1e-3 {
		t.Errorf("%s: gradient differs from finite differences: normalised error %.3g", name, rel)
	}
}

func TestGradElementwise(t *testing.T) {
	g := newGradCase()
	n := 37
	x, r, out := g.normal(n), g.normal(n), g.normal(n)
	dx := g.d.Alloc(n)
	g.d.GELU(out, x, n)
	g.d.GELUBackward(dx, x, r, n)
	g.check(t, "GELU", x, dx, func() float64 { g.d.GELU(out, x, n); return g.dot(out, r) })

	dx = g.d.Alloc(n)
	g.d.Tanh(out, x, n)
	g.d.TanhBackward(dx, out, r, n)
	g.check(t, "Tanh", x, dx, func() float64 { g.d.Tanh(out, x, n); return g.dot(out, r) })
}

func TestGradEncoder(t *testing.T) {
	g := newGradCase()
	B, T, C, P, V := 2, 3, 5, 2, 4
	tok := g.d.Alloc(B * T)
	g.d.UploadInt32(tok, []int32{0, 3, 3, 1, 0, 2})
	wte, wpe, r, out := g.normal(V*C), g.normal((P+T)*C), g.normal(B*T*C), g.normal(B*T*C)
	dwte, dwpe := g.d.Alloc(V*C), g.d.Alloc((P+T)*C)
	g.d.EncoderBackward(dwte, dwpe, r, tok, B, T, C, P)
	loss := func() float64 { g.d.Encoder(out, tok, wte, wpe, B, T, C, P); return g.dot(out, r) }
	g.check(t, "Encoder wte", wte, dwte, loss)
	g.check(t, "Encoder wpe", wpe, dwpe, loss)
}

func TestGradLayerNorm(t *testing.T) {
	g := newGradCase()
	N, C := 3, 7
	x, w, b, r, out := g.normal(N*C), g.normal(C), g.normal(C), g.normal(N*C), g.normal(N*C)
	mean, rstd := g.d.Alloc(N), g.d.Alloc(N)
	dx, dw, db := g.d.Alloc(N*C), g.d.Alloc(C), g.d.Alloc(C)
	g.d.LayerNorm(out, mean, rstd, x, w, b, N, C, 1e-5)
	g.d.LayerNormBackward(dx, dw, db, r, x, w, mean, rstd, N, C)
	loss := func() float64 { g.d.LayerNorm(out, mean, rstd, x, w, b, N, C, 1e-5); return g.dot(out, r) }
	g.check(t, "LayerNorm inp", x, dx, loss)
	g.check(t, "LayerNorm weight", w, dw, loss)
	g.check(t, "LayerNorm bias", b, db, loss)
}

func TestGradMatmul(t *testing.T) {
	g := newGradCase()
	N, C, OC := 3, 5, 4
	x, w, b, r, out := g.normal(N*C), g.normal(OC*C), g.normal(OC), g.normal(N*OC), g.normal(N*OC)
	dx, dw, db := g.d.Alloc(N*C), g.d.Alloc(OC*C), g.d.Alloc(OC)
	g.d.MatmulBackward(dx, dw, db, r, x, w, N, C, OC)
	loss := func() float64 { g.d.Matmul(out, x, w, b, N, C, OC); return g.dot(out, r) }
	g.check(t, "Matmul inp", x, dx, loss)
	g.check(t, "Matmul weight", w, dw, loss)
	g.check(t, "Matmul bias", b, db, loss)
}

func TestGradAttention(t *testing.T) {
	for _, c := range []struct{ NH, KVH int }{{2, 2}, {4, 2}, {3, 1}} {
		g := newGradCase()
		B, T, HS, P := 2, 4, 3, 3
		NH, KVH := c.NH, c.KVH
		W, KV := (NH+2*KVH)*HS, KVH*HS
		S := 4 * KV // prefix rows of two layers; the op reads the second layer
		qkv, past, r := g.normal(B*T*W), g.normal(P*S), g.normal(B*T*NH*HS)
		pk, pv := past.Slice(2*KV, past.Len-2*KV), past.Slice(3*KV, past.Len-3*KV)
		valid := g.d.Alloc(B * T)
		g.d.Upload(valid, []float32{1, 1, 1, 0, 0, 1, 1, 1})
		out, att, datt := g.d.Alloc(B*T*NH*HS), g.d.Alloc(B*NH*T*(P+T)), g.d.Alloc(B*NH*T*(P+T))
		dqkv, dpast := g.d.Alloc(qkv.Len), g.d.Alloc(past.Len)
		dk, dv := dpast.Slice(2*KV, past.Len-2*KV), dpast.Slice(3*KV, past.Len-3*KV)
		g.d.Attention(out, att, qkv, pk, pv, valid, B, T, NH, KVH, HS, P, S)
		g.d.AttentionBackward(dqkv, dk, dv, datt, r, qkv, pk, pv, att, B, T, NH, KVH, HS, P, S)
		loss := func() float64 {
			g.d.Attention(out, att, qkv, pk, pv, valid, B, T, NH, KVH, HS, P, S)
			return g.dot(out, r)
		}
		g.check(t, fmt.Sprintf("Attention NH=%d KVH=%d qkv", NH, KVH), qkv, dqkv, loss)
		g.check(t, fmt.Sprintf("Attention NH=%d KVH=%d past", NH, KVH), past, dpast, loss)
	}
}

func TestGradRMSNorm(t *testing.T) {
	g := newGradCase()
	N, C := 3, 7
	x, w, r, out := g.normal(N*C), g.normal(C), g.normal(N*C), g.normal(N*C)
	rstd := g.d.Alloc(N)
	dx, dw := g.d.Alloc(N*C), g.d.Alloc(C)
	g.d.RMSNorm(out, rstd, x, w, N, C, 1e-5)
	g.d.RMSNormBackward(dx, dw, r, x, w, rstd, N, C)
	loss := func() float64 { g.d.RMSNorm(out, rstd, x, w, N, C, 1e-5); return g.dot(out, r) }
	g.check(t, "RMSNorm inp", x, dx, loss)
	g.check(t, "RMSNorm weight", w, dw, loss)
}

// TestGradRoPE checks the in-place op on a copy of its input; cos and sin
// are arbitrary values, for the transpose holds for any.
func TestGradRoPE(t *testing.T) {
	g := newGradCase()
	B, T, NH, KVH, HS := 2, 3, 3, 1, 4
	n := B * T * (NH + 2*KVH) * HS
	x, r, y := g.normal(n), g.normal(n), g.d.Alloc(n)
	cos, sin := g.normal(T*HS/2), g.normal(T*HS/2)
	dx := g.d.Alloc(n)
	g.d.Copy(dx, r)
	g.d.RoPEBackward(dx, cos, sin, B, T, NH, KVH, HS)
	loss := func() float64 { g.d.Copy(y, x); g.d.RoPE(y, cos, sin, B, T, NH, KVH, HS); return g.dot(y, r) }
	g.check(t, "RoPE", x, dx, loss)
}

func TestGradSwiGLU(t *testing.T) {
	g := newGradCase()
	N, I := 3, 5
	x, r, out := g.normal(N*2*I), g.normal(N*I), g.normal(N*I)
	dx := g.d.Alloc(N * 2 * I)
	g.d.SwiGLUBackward(dx, x, r, N, I)
	g.check(t, "SwiGLU", x, dx, func() float64 { g.d.SwiGLU(out, x, N, I); return g.dot(out, r) })
}

func TestGradCrossEntropy(t *testing.T) {
	g := newGradCase()
	N, V := 4, 6
	logits, r := g.normal(N*V), g.normal(N)
	targets, losses := g.d.Alloc(N), g.d.Alloc(N)
	g.d.UploadInt32(targets, []int32{2, -1, 5, 0})
	dlogits := g.d.Alloc(N * V)
	g.d.CrossEntropyBackward(dlogits, logits, targets, r, N, V)
	loss := func() float64 { g.d.CrossEntropy(losses, logits, targets, N, V); return g.dot(losses, r) }
	g.check(t, "CrossEntropy", logits, dlogits, loss)
}
