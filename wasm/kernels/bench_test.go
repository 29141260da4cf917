package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
)

// gemmShapes are the benchmarked products out[N,OC] = inp[N,C] @ W[OC,C]^T.
var gemmShapes = []struct{ N, C, OC int }{{512, 768, 768}, {512, 768, 3072}, {1, 768, 3072}}

// BenchmarkGEMM reports the GFLOP/s of Matmul on the wazero device (1 and 2
// threads) beside the reference and the fast native devices.
func BenchmarkGEMM(b *testing.B) {
	for _, s := range gemmShapes {
		devices := []struct {
			name string
			new  func(b *testing.B) tensor.Device
		}{
			{"wazero-1", func(b *testing.B) tensor.Device { return newBenchDevice(b, 1) }},
			{"wazero-2", func(b *testing.B) tensor.Device { return newBenchDevice(b, 2) }},
			{"reference", func(*testing.B) tensor.Device { return tensor.NewCPU() }},
			{"fast-1", func(*testing.B) tensor.Device { return tensor.NewFast(1) }},
		}
		for _, dev := range devices {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.N, s.C, s.OC, dev.name), func(b *testing.B) {
				if dev.name == "reference" && s.N > 1 && testing.Short() {
					b.Skip("the reference GEMM takes seconds")
				}
				d := dev.new(b)
				rng := rand.New(rand.NewPCG(1, 2))
				fill := func(n int) tensor.Tensor {
					t, v := d.Alloc(n), make([]float32, n)
					for i := range v {
						v[i] = float32(rng.NormFloat64())
					}
					d.Upload(t, v)
					return t
				}
				out, inp, w, bias := d.Alloc(s.N*s.OC), fill(s.N*s.C), fill(s.OC*s.C), fill(s.OC)
				for b.Loop() {
					d.Matmul(out, inp, w, bias, s.N, s.C, s.OC)
				}
				b.ReportMetric(2*float64(s.N*s.C*s.OC)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

func newBenchDevice(b *testing.B, threads int) *Device {
	d, err := NewWazero(threads)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}
