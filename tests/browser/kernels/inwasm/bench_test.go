//go:build js && wasm

package inwasm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"prefixtune/core/tensor"
	"prefixtune/wasm/kernels"
)

// gemmShapes are the benchmarked products out[N,OC] = inp[N,C] @ W[OC,C]^T.
var gemmShapes = []struct{ N, C, OC int }{{64, 64, 64}, {256, 256, 256}, {1024, 1024, 1024}, {512, 768, 768}, {512, 768, 3072}, {1, 768, 3072}}

// TestGEMMBench (with -gemm-bench) prints one JSON line per shape: GFLOP/s
// of Matmul on the device as the engine uses it (see bestRate).
func TestGEMMBench(t *testing.T) {
	if !*gemmBench {
		t.Skip("without -gemm-bench")
	}
	d := open(t, kernels.BrowserOptions{})
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(n int) tensor.Tensor {
		x, v := d.Alloc(n), make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		d.Upload(x, v)
		return x
	}
	for _, s := range gemmShapes {
		out, inp, w, bias := d.Alloc(s.N*s.OC), fill(s.N*s.C), fill(s.OC*s.C), fill(s.OC)
		gflops := bestRate(2*float64(s.N*s.C*s.OC)/1e9, func() { d.Matmul(out, inp, w, bias, s.N, s.C, s.OC) })
		fmt.Printf("{\"device\":%q,\"shape\":\"%dx%dx%d\",\"gflops\":%.2f}\n", d.Name(), s.N, s.C, s.OC, gflops)
	}
	// The same products with BF16 weights (widened while packed).
	for _, s := range bf16Shapes {
		bits := make([]uint16, s.OC*s.C)
		for i := range bits {
			bits[i] = uint16(math.Float32bits(float32(rng.NormFloat64())) >> 16)
		}
		out, inp, w, bias := d.Alloc(s.N*s.OC), fill(s.N*s.C), d.Alloc16(s.OC*s.C, tensor.BF16), fill(s.OC)
		d.Upload16(w, bits)
		gflops := bestRate(2*float64(s.N*s.C*s.OC)/1e9, func() { d.Matmul(out, inp, w, bias, s.N, s.C, s.OC) })
		fmt.Printf("{\"device\":%q,\"shape\":\"%dx%dx%d\",\"weights\":\"bf16\",\"gflops\":%.2f}\n", d.Name(), s.N, s.C, s.OC, gflops)
	}
}

// bf16Shapes are also benchmarked with BF16 weights.
var bf16Shapes = []struct{ N, C, OC int }{{512, 768, 768}, {1, 768, 3072}}

// bestRate returns the best rate, work per second, of f over batches of
// calls of at least 5 ms during 2 s, after 0.4 s of warm-up (V8 tiers up).
// The best batch rather than the mean, because the machine may be shared:
// other processes only ever make a batch slower; and short batches (one
// call of the larger shapes), because on a loaded machine a long batch is
// rarely left uninterrupted. benchkernels times TensorFlow.js the same way.
func bestRate(work float64, f func()) float64 {
	var best float64
	for _, span := range []float64{0.4, 2} {
		best = 0
		for start := now(); now()-start < span; {
			n, t0 := 0, now()
			for ; n < 1 || now()-t0 < 0.005; n++ {
				f()
			}
			best = max(best, work*float64(n)/(now()-t0))
		}
	}
	return best
}

var epoch = time.Now()

// now is seconds on the monotonic clock (performance.now in the browser).
func now() float64 { return time.Since(epoch).Seconds() }
