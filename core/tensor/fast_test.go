package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
	"prefixtune/core/tensor/tensortest"
)

func TestConformanceFast1(t *testing.T) {
	tensortest.Run(t, func() tensor.Device { return tensor.NewFast(1) })
}

func TestConformanceFast3(t *testing.T) {
	tensortest.Run(t, func() tensor.Device { return tensor.NewFast(3) })
}

// The conformance suite's sizes are small enough that the fast device runs
// most of them inline. The cases below are large enough to split every op
// over 3 goroutines; they are checked against the reference, and one
// thread against three must agree bit for bit.

// setup allocates and fills the buffers of a case on d, drawing from rng,
// and returns the op to run and the buffers it writes.
type setup func(d tensor.Device, rng *rand.Rand) (run func(), outs []tensor.Tensor)

func compareFast(t *testing.T, name string, tol float64, s setup) {
	t.Helper()
	devs := []tensor.Device{tensor.NewCPU(), tensor.NewFast(1), tensor.NewFast(3)}
	res := make([][][]float32, len(devs))
	for i, d := range devs {
		run, outs := s(d, rand.New(rand.NewPCG(5, 6)))
		run()
		for _, o := range outs {
			v := make([]float32, o.Len)
			d.Download(v, o)
			res[i] = append(res[i], v)
		}
	}
	for k := range res[0] {
		want, got, got3 := res[0][k], res[1][k], res[2][k]
		var maxWant, maxErr float64
		for i := range want {
			maxWant = max(maxWant, math.Abs(float64(want[i])))
			maxErr = max(maxErr, math.Abs(float64(got[i]-want[i])))
			if math.IsNaN(float64(got[i])) || math.Float32bits(got[i]) != math.Float32bits(got3[i]) {
				t.Fatalf("%s output %d slot %d: 1 thread gives %v, 3 threads %v", name, k, i, got[i], got3[i])
			}
		}
		if rel := maxErr / max(1, maxWant); rel > tol {
			t.Errorf("%s output %d differs from the reference: normalised error %.3g > %.3g", name, k, rel, tol)
		}
	}
}

func normal(d tensor.Device, rng *rand.Rand, n int) tensor.Tensor {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	t := d.Alloc(n)
	d.Upload(t, v)
	return t
}

func ints(d tensor.Device, rng *rand.Rand, n, lo, hi int) tensor.Tensor {
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(lo + rng.IntN(hi-lo))
	}
	t := d.Alloc(n)
	d.UploadInt32(t, v)
	return t
}

func TestFastLargeMatmul(t *testing.T) {
	for _, s := range []struct{ N, C, OC int }{{131, 200, 400}, {1, 300, 1000}, {200, 3, 500}} {
		compareFast(t, "Matmul", 1e-5, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
			inp, w, bias := normal(d, r, s.N*s.C), normal(d, r, s.OC*s.C), normal(d, r, s.OC)
			out, dout := d.Alloc(s.N*s.OC), normal(d, r, s.N*s.OC)
			dinp, dw, db := normal(d, r, s.N*s.C), normal(d, r, s.OC*s.C), normal(d, r, s.OC)
			return func() {
				d.Matmul(out, inp, w, bias, s.N, s.C, s.OC)
				d.MatmulBackward(dinp, dw, db, dout, inp, w, s.N, s.C, s.OC)
			}, []tensor.Tensor{out, dinp, dw, db}
		})
	}
}

func TestFastLargeLayerNorm(t *testing.T) {
	const N, C = 300, 100
	// Prefix-tuning leaves dweight and dbias out; the other case dinp.
	for _, inputGrad := range []bool{true, false} {
		compareFast(t, "LayerNorm", 1e-4, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
			inp, w, b, dout := normal(d, r, N*C), normal(d, r, C), normal(d, r, C), normal(d, r, N*C)
			out, mean, rstd := d.Alloc(N*C), d.Alloc(N), d.Alloc(N)
			dinp, dw, db := normal(d, r, N*C), normal(d, r, C), normal(d, r, C)
			gi, gw, gb := dinp, tensor.Tensor{}, tensor.Tensor{}
			if !inputGrad {
				gi, gw, gb = tensor.Tensor{}, dw, db
			}
			return func() {
				d.LayerNorm(out, mean, rstd, inp, w, b, N, C, 1e-5)
				d.LayerNormBackward(gi, gw, gb, dout, inp, w, mean, rstd, N, C)
			}, []tensor.Tensor{out, mean, rstd, dinp, dw, db}
		})
	}
}

// TestFastLargeEncoder draws 256 tokens from 5, so dwte rows repeat.
func TestFastLargeEncoder(t *testing.T) {
	const B, T, C, P, V = 4, 64, 256, 3, 5
	compareFast(t, "Encoder", 1e-6, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
		tok, wte, wpe := ints(d, r, B*T, 0, V), normal(d, r, V*C), normal(d, r, (P+T)*C)
		out, dout, dwte, dwpe := d.Alloc(B*T*C), normal(d, r, B*T*C), normal(d, r, V*C), normal(d, r, (P+T)*C)
		return func() {
			d.Encoder(out, tok, wte, wpe, B, T, C, P)
			d.EncoderBackward(dwte, dwpe, dout, tok, B, T, C, P)
		}, []tensor.Tensor{out, dwte, dwpe}
	})
}

// TestFastLargeAttention spans two blocks of query rows, with grouped
// query heads, and each of the gradients left out in turn.
func TestFastLargeAttention(t *testing.T) {
	const B, T, NH, HS, P = 2, 70, 6, 16, 4
	for _, KVH := range []int{6, 2, 1} {
		W, KV := (NH+2*KVH)*HS, KVH*HS
		S := 4 * KV // a prefix row holds 2 layers of keys and values
		for _, grads := range []struct{ qkv, past bool }{{true, true}, {true, false}, {false, true}} {
			compareFast(t, "Attention", 1e-4, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
				qkv, past, dout := normal(d, r, B*T*W), normal(d, r, P*S), normal(d, r, B*T*NH*HS)
				valid := make([]float32, B*T)
				for i := range valid {
					valid[i] = 1
				}
				valid[T-1], valid[T], valid[T+1] = 0, 0, 0 // right then left padding
				vb := d.Alloc(B * T)
				d.Upload(vb, valid)
				out, att, datt := d.Alloc(B*T*NH*HS), d.Alloc(B*NH*T*(P+T)), d.Alloc(B*NH*T*(P+T))
				dqkv, dpast := normal(d, r, B*T*W), normal(d, r, P*S)
				pk, pv := past.Slice(2*KV, P*S-2*KV), past.Slice(3*KV, P*S-3*KV)
				gq, gk, gv := dqkv, dpast.Slice(2*KV, P*S-2*KV), dpast.Slice(3*KV, P*S-3*KV)
				if !grads.qkv {
					gq = tensor.Tensor{}
				}
				if !grads.past {
					gk, gv = tensor.Tensor{}, tensor.Tensor{}
				}
				return func() {
					d.Attention(out, att, qkv, pk, pv, vb, B, T, NH, KVH, HS, P, S)
					d.AttentionBackward(gq, gk, gv, datt, dout, qkv, pk, pv, att, B, T, NH, KVH, HS, P, S)
				}, []tensor.Tensor{out, att, dqkv, dpast}
			})
		}
	}
}

func TestFastLargeRMSNorm(t *testing.T) {
	const N, C = 300, 100
	for _, inputGrad := range []bool{true, false} {
		compareFast(t, "RMSNorm", 1e-4, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
			inp, w, dout := normal(d, r, N*C), normal(d, r, C), normal(d, r, N*C)
			out, rstd := d.Alloc(N*C), d.Alloc(N)
			dinp, dw := normal(d, r, N*C), normal(d, r, C)
			gi, gw := dinp, tensor.Tensor{}
			if !inputGrad {
				gi, gw = tensor.Tensor{}, dw
			}
			return func() {
				d.RMSNorm(out, rstd, inp, w, N, C, 1e-5)
				d.RMSNormBackward(gi, gw, dout, inp, w, rstd, N, C)
			}, []tensor.Tensor{out, rstd, dinp, dw}
		})
	}
}

func TestFastLargeRoPEAndSwiGLU(t *testing.T) {
	const B, T, NH, KVH, HS, I = 3, 50, 6, 2, 32, 200
	compareFast(t, "RoPE", 1e-6, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
		qkv, dqkv := normal(d, r, B*T*(NH+2*KVH)*HS), normal(d, r, B*T*(NH+2*KVH)*HS)
		cos, sin := normal(d, r, T*HS/2), normal(d, r, T*HS/2)
		return func() {
			d.RoPE(qkv, cos, sin, B, T, NH, KVH, HS)
			d.RoPEBackward(dqkv, cos, sin, B, T, NH, KVH, HS)
		}, []tensor.Tensor{qkv, dqkv}
	})
	compareFast(t, "SwiGLU", 1e-5, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
		gu, dout, dgu := normal(d, r, B*T*2*I), normal(d, r, B*T*I), normal(d, r, B*T*2*I)
		out := d.Alloc(B * T * I)
		return func() {
			d.SwiGLU(out, gu, B*T, I)
			d.SwiGLUBackward(dgu, gu, dout, B*T, I)
		}, []tensor.Tensor{out, dgu}
	})
}

func TestFastLargeCrossEntropy(t *testing.T) {
	const N, V = 40, 3000
	compareFast(t, "CrossEntropy", 1e-5, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
		logits, targets, dl := normal(d, r, N*V), ints(d, r, N, -1, V), normal(d, r, N)
		losses, dlogits := d.Alloc(N), d.Alloc(N*V)
		return func() {
			d.CrossEntropy(losses, logits, targets, N, V)
			d.CrossEntropyBackward(dlogits, logits, targets, dl, N, V)
		}, []tensor.Tensor{losses, dlogits}
	})
}

func TestFastLargeElementwise(t *testing.T) {
	const n = 100003
	compareFast(t, "Elementwise", 1e-5, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
		a, b, g := normal(d, r, n), normal(d, r, n), normal(d, r, n)
		sum, gel, dgel, th, dth, ss := d.Alloc(n), d.Alloc(n), normal(d, r, n), d.Alloc(n), normal(d, r, n), d.Alloc(1)
		p, m, v := normal(d, r, n), normal(d, r, n), d.Alloc(n)
		return func() {
			d.Add(sum, a, b, n)
			d.Scale(sum, 0.37, n)
			d.GELU(gel, a, n)
			d.GELUBackward(dgel, a, g, n)
			d.Tanh(th, a, n)
			d.TanhBackward(dth, th, g, n)
			d.SumSquares(ss, a, n)
			for step := 1; step <= 2; step++ {
				d.AdamW(p, g, m, v, n, 0.01, 0.9, 0.999, 1e-8, 0.01, step)
			}
		}, []tensor.Tensor{sum, gel, dgel, th, dth, ss, p, m, v}
	})
}
