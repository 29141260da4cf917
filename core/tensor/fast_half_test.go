package tensor_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
)

// halfWeight allocates a 16-bit [n] weight of values about N(0,1) on d.
func halfWeight(d tensor.Device, rng *rand.Rand, n int, dt tensor.DType) tensor.Tensor {
	v := make([]uint16, n)
	for i := range v {
		f := float32(rng.NormFloat64())
		if dt == tensor.BF16 {
			v[i] = uint16(math.Float32bits(f) >> 16)
		} else { // F16 of |f| < 8 with a 10-bit fraction: exponent field e-127+15
			b := math.Float32bits(f)
			e := int(b>>23&0xff) - 127 + 15
			if e <= 0 {
				e = 0
			}
			v[i] = uint16(b>>16&0x8000) | uint16(e)<<10 | uint16(b>>13&0x3ff)
		}
	}
	t := d.Alloc16(n, dt)
	d.Upload16(t, v)
	return t
}

// TestFastLargeMatmul16 splits 16-bit weight products over 3 goroutines,
// with k and columns crossing the widening blocks.
func TestFastLargeMatmul16(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.F16, tensor.BF16} {
		for _, s := range []struct{ N, C, OC int }{{131, 200, 400}, {1, 300, 1000}, {200, 3, 500}} {
			compareFast(t, "Matmul "+dt.String(), 1e-5, func(d tensor.Device, r *rand.Rand) (func(), []tensor.Tensor) {
				inp, w, bias := normal(d, r, s.N*s.C), halfWeight(d, r, s.OC*s.C, dt), normal(d, r, s.OC)
				out, dout, dinp := d.Alloc(s.N*s.OC), normal(d, r, s.N*s.OC), normal(d, r, s.N*s.C)
				return func() {
					d.Matmul(out, inp, w, bias, s.N, s.C, s.OC)
					d.MatmulBackward(dinp, tensor.Tensor{}, tensor.Tensor{}, dout, inp, w, s.N, s.C, s.OC)
				}, []tensor.Tensor{out, dinp}
			})
		}
	}
}
