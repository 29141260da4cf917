//go:build js && wasm

package inwasm

import (
	"flag"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"prefixtune/core/tensor"
	"prefixtune/core/tensor/tensortest"
	"prefixtune/wasm/kernels"
)

var gemmBench = flag.Bool("gemm-bench", false, "print GEMM GFLOP/s as JSON lines instead of testing")

// open returns the page's browser device, closed at the end of the test.
func open(t testing.TB, opts kernels.BrowserOptions) *kernels.Device {
	d, err := kernels.NewBrowser(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	t.Logf("device %s", d.Name())
	return d
}

func skipIfBench(t *testing.T) {
	if *gemmBench {
		t.Skip("-gemm-bench")
	}
}

// TestConformance runs the suite of every device with each op split into as
// many calls as the pool has threads, however small.
func TestConformance(t *testing.T) {
	skipIfBench(t)
	d := open(t, kernels.BrowserOptions{SplitAll: true})
	tensortest.Run(t, func() tensor.Device { return d })
}

// TestGEMM checks the matrix products at shapes that cross the GEMM's
// blocks, none a multiple of a tile, split as in real use: equal to the
// reference bit for bit with the plain build's GEMM, within rounding with
// the relaxed one (fused multiply-adds) and with the matrix-vector kernel
// of one-row products (another summation order).
func TestGEMM(t *testing.T) {
	skipIfBench(t)
	d := open(t, kernels.BrowserOptions{})
	ref := tensor.NewCPU()
	plain := strings.Contains(d.Name(), "plain")
	rng := rand.New(rand.NewPCG(5, 6))
	for _, s := range []struct{ N, C, OC int }{{150, 400, 530}, {5, 300, 1100}, {97, 257, 513}, {1, 768, 3072}} {
		both := func(n int) [2]tensor.Tensor {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
			t := [2]tensor.Tensor{ref.Alloc(n), d.Alloc(n)}
			ref.Upload(t[0], v)
			d.Upload(t[1], v)
			return t
		}
		inp, w, bias, dout := both(s.N*s.C), both(s.OC*s.C), both(s.OC), both(s.N*s.OC)
		out, dinp, dw := both(s.N*s.OC), both(s.N*s.C), both(s.OC*s.C)
		for i, dev := range []tensor.Device{ref, d} {
			dev.Matmul(out[i], inp[i], w[i], bias[i], s.N, s.C, s.OC)
			dev.MatmulBackward(dinp[i], dw[i], tensor.Tensor{}, dout[i], inp[i], w[i], s.N, s.C, s.OC)
		}
		exact := plain && s.N > 1
		for _, c := range []struct {
			name string
			t    [2]tensor.Tensor
		}{{"Matmul", out}, {"dinp", dinp}, {"dweight", dw}} {
			want, got := make([]float32, c.t[0].Len), make([]float32, c.t[1].Len)
			ref.Download(want, c.t[0])
			d.Download(got, c.t[1])
			var maxWant, maxErr float64
			for i := range want {
				maxWant = max(maxWant, math.Abs(float64(want[i])))
				maxErr = max(maxErr, math.Abs(float64(got[i]-want[i])))
				if exact && got[i] != want[i] {
					t.Fatalf("%s %dx%dx%d: [%d] = %v, want %v exactly", c.name, s.N, s.C, s.OC, i, got[i], want[i])
				}
			}
			if rel := maxErr / max(1, maxWant); rel > 1e-5 {
				t.Fatalf("%s %dx%dx%d: normalised error %.3g > 1e-5", c.name, s.N, s.C, s.OC, rel)
			}
		}
	}
}

// TestGrowth checks that data survives the arena's growth (JavaScript views
// of a grown memory go stale) and that Download sees it after.
func TestGrowth(t *testing.T) {
	skipIfBench(t)
	d := open(t, kernels.BrowserOptions{})
	v := make([]float32, 1000)
	for i := range v {
		v[i] = float32(i) - 0.5
	}
	x := d.Alloc(len(v))
	d.Upload(x, v)
	big := d.Alloc(64 << 20 >> 2) // grows the arena past 64 MiB
	d.Scale(big, 2, big.Len)
	y := d.Alloc(len(v))
	d.Copy(y, x)
	d.Add(y, y, x, len(v))
	got := make([]float32, len(v))
	d.Download(got, y)
	for i := range v {
		if got[i] != 2*v[i] {
			t.Fatalf("after growth: y[%d] = %v, want %v", i, got[i], 2*v[i])
		}
	}
	tail := make([]float32, 4)
	d.Download(tail, big.Slice(big.Len-4, 4))
	for i, x := range tail {
		if x != 0 {
			t.Fatalf("a new allocation is not zero: [%d] = %v", big.Len-4+i, x)
		}
	}
}
