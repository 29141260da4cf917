//go:build linux || darwin

package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
)

// TestGEMMExact checks that the plain build's three matrix products equal the
// reference loops bit for bit (same float32 summation order), at shapes that
// cross every block boundary of the GEMM (rows > MC, k > KC, columns > NC,
// none a multiple of a tile), split by rows and by columns over 3 threads;
// with F16 and BF16 weights too (widened exactly while packed), whose
// products have no weight gradient.
func TestGEMMExact(t *testing.T) {
	shapes := []struct{ N, C, OC int }{{200, 600, 1100}, {5, 300, 1100}, {2, 7, 3}, {97, 257, 513}}
	if testing.Short() {
		shapes = shapes[1:]
	}
	for _, dt := range []tensor.DType{tensor.F32, tensor.F16, tensor.BF16} {
		for _, s := range shapes {
			t.Run(fmt.Sprintf("%v/%dx%dx%d", dt, s.N, s.C, s.OC), func(t *testing.T) {
				ref, dev := tensor.NewCPU(), newTestDevice(t, 3)
				rng := rand.New(rand.NewPCG(5, 6))
				both := func(n int) [2]tensor.Tensor {
					v := make([]float32, n)
					for i := range v {
						v[i] = float32(rng.NormFloat64())
					}
					r, d := ref.Alloc(n), dev.Alloc(n)
					ref.Upload(r, v)
					dev.Upload(d, v)
					return [2]tensor.Tensor{r, d}
				}
				out, inp, bias := both(s.N*s.OC), both(s.N*s.C), both(s.OC)
				dout, dinp, dw := both(s.N*s.OC), both(s.N*s.C), both(s.OC*s.C)
				w := both(s.OC * s.C)
				if dt != tensor.F32 {
					// Random bits of every exponent but the largest (no
					// infinity, no NaN) and the smallest ten (no overflow).
					v := make([]uint16, s.OC*s.C)
					for i := range v {
						v[i] = uint16(rng.IntN(1 << 16))
						if e := v[i] >> 10 & 31; dt == tensor.F16 && e == 31 {
							v[i] ^= 1 << 14
						}
						if dt == tensor.BF16 {
							v[i] = v[i]&0x807f | uint16(127-12+rng.IntN(20))<<7
							if i%7 == 0 {
								v[i] &= 0x807f // subnormal
							}
						}
					}
					w = [2]tensor.Tensor{ref.Alloc16(len(v), dt), dev.Alloc16(len(v), dt)}
					ref.Upload16(w[0], v)
					dev.Upload16(w[1], v)
					dw = [2]tensor.Tensor{}
				}
				for i, d := range []tensor.Device{ref, dev} {
					d.Matmul(out[i], inp[i], w[i], bias[i], s.N, s.C, s.OC)
					d.MatmulBackward(dinp[i], dw[i], tensor.Tensor{}, dout[i], inp[i], w[i], s.N, s.C, s.OC)
				}
				for name, b := range map[string][2]tensor.Tensor{"out": out, "dinp": dinp, "dweight": dw} {
					want, got := make([]float32, b[0].Len), make([]float32, b[1].Len)
					ref.Download(want, b[0])
					dev.Download(got, b[1])
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s[%d] = %v, reference %v", name, i, got[i], want[i])
						}
					}
				}
			})
		}
	}
}

// TestWorkspaceSurvivesRelease runs the first GEMM inside a Mark/Release
// scope, then checks that tensors allocated after the Release are not
// overwritten by the next GEMM's workspace.
func TestWorkspaceSurvivesRelease(t *testing.T) {
	const N, C, OC = 24, 40, 16
	d := newTestDevice(t, 2)
	rng := rand.New(rand.NewPCG(7, 8))
	fill := func(n int) ([]float32, tensor.Tensor) {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		t := d.Alloc(n)
		d.Upload(t, v)
		return v, t
	}
	_, inp := fill(N * C)
	_, w := fill(OC * C)
	mark := d.Mark()
	d.Matmul(d.Alloc(N*OC), inp, w, tensor.Tensor{}, N, C, OC)
	d.Release(mark)
	keep, kt := fill(1 << 19) // spans where a workspace allocated inside the scope would be
	d.Matmul(d.Alloc(N*OC), inp, w, tensor.Tensor{}, N, C, OC)
	got := make([]float32, len(keep))
	d.Download(got, kt)
	for i := range keep {
		if got[i] != keep[i] {
			t.Fatalf("slot %d of a tensor allocated after Release changed from %v to %v", i, keep[i], got[i])
		}
	}
}
