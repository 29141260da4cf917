//go:build js && wasm

package inwasm

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"prefixtune/core/tensor"
	"prefixtune/tests/browser/kernels/alternate"
	"prefixtune/wasm/kernels"
)

// gemmShapes are the benchmarked products out[N,OC] = inp[N,C] @ W[OC,C]^T.
var gemmShapes = []struct{ N, C, OC int }{{64, 64, 64}, {256, 256, 256}, {1024, 1024, 1024}, {512, 768, 768}, {512, 768, 3072}, {1, 768, 3072}}

var gemmSeconds = flag.Float64("gemm-seconds", 2, "timing window per shape")

// bf16Shapes are also benchmarked with BF16 weights.
var bf16Shapes = []struct{ N, C, OC int }{{512, 768, 768}, {1, 768, 3072}}

// benchLine is one JSON line of TestGEMMBench: GFLOP/s of a shape on one
// thread and on all of the pool's, timed in alternating batches (see
// timeThreads).
type benchLine struct {
	Device  string `json:"device"`
	Shape   string `json:"shape"`
	Weights string `json:"weights"` // f32 or bf16
	Threads int    `json:"threads"` // all of the pool's
	// Best and median rates of the batches on one thread and on all.
	Best1   float64 `json:"best_1"`
	Median1 float64 `json:"median_1"`
	BestN   float64 `json:"best_n"`
	MedianN float64 `json:"median_n"`
	// Scaling is the median over pairs of adjacent batches of the ratio of
	// the rate on all threads to the rate on one (0 on one thread).
	Scaling float64 `json:"scaling"`
}

// TestGEMMBench (with -gemm-bench) prints one benchLine per shape for
// Matmul on the device as the engine uses it.
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
	out := json.NewEncoder(os.Stdout)
	bench := func(weights string, N, C, OC int, w tensor.Tensor) {
		inp, bias, y := fill(N*C), fill(OC), d.Alloc(N*OC)
		l := timeThreads(d, 2*float64(N*C*OC)/1e9, func() { d.Matmul(y, inp, w, bias, N, C, OC) })
		l.Device, l.Weights = d.Name(), weights
		l.Shape = fmt.Sprintf("%dx%dx%d", N, C, OC)
		if err := out.Encode(l); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range gemmShapes {
		bench("f32", s.N, s.C, s.OC, fill(s.OC*s.C))
	}
	// The same products with BF16 weights (widened while packed).
	for _, s := range bf16Shapes {
		bits := make([]uint16, s.OC*s.C)
		for i := range bits {
			bits[i] = uint16(math.Float32bits(float32(rng.NormFloat64())) >> 16)
		}
		w := d.Alloc16(s.OC*s.C, tensor.BF16)
		d.Upload16(w, bits)
		bench("bf16", s.N, s.C, s.OC, w)
	}
}

// timeThreads times f, which does work units of work, in batches of calls of
// at least 5 ms during -gemm-seconds, alternating between one thread and all
// of the device's threads (SetThreads; ../alternate), and returns the
// rates, work per second. benchkernels times TensorFlow.js in batches the
// same way.
func timeThreads(d *kernels.Device, work float64, f func()) benchLine {
	all := d.SetThreads(0)
	defer d.SetThreads(0)
	batch := func(threads int) float64 {
		d.SetThreads(threads)
		n, t0 := 0, now()
		for ; n < 1 || now()-t0 < 0.005; n++ {
			f()
		}
		return work * float64(n) / (now() - t0)
	}
	r := alternate.Time(all, *gemmSeconds, batch)
	return benchLine{Threads: all, Best1: r.Best1, Median1: r.Median1, BestN: r.BestN, MedianN: r.MedianN, Scaling: r.Scaling}
}

var epoch = time.Now()

// now is seconds on the monotonic clock (performance.now in the browser).
func now() float64 { return time.Since(epoch).Seconds() }
