package tensor

import (
	"math"
	"testing"
)

// TestWiden checks every F16 and BF16 bit pattern against the value its
// fields define, computed in float64: (-1)^s * 2^(e-bias) * (1 + f/2^m) for
// normal numbers, 2^(1-bias) * f/2^m for subnormals, infinities and NaNs
// (NaN payloads kept in the high fraction bits).
func TestWiden(t *testing.T) {
	for _, c := range []struct {
		dt                    DType
		bias, fracBits, maxEx int
	}{{F16, 15, 10, 31}, {BF16, 127, 7, 255}} {
		for x := 0; x < 1<<16; x++ {
			sign, exp, frac := x>>15, x>>c.fracBits&c.maxEx, x&(1<<c.fracBits-1)
			var want float64
			switch exp {
			case c.maxEx:
				want = math.Inf(1)
				if frac != 0 {
					want = math.NaN()
				}
			case 0:
				want = math.Ldexp(float64(frac), 1-c.bias-c.fracBits)
			default:
				want = math.Ldexp(float64(frac|1<<c.fracBits), exp-c.bias-c.fracBits)
			}
			if sign == 1 {
				want = -want
			}
			got := widen(c.dt, uint16(x))
			if math.IsNaN(want) {
				if !math.IsNaN(float64(got)) || math.Float32bits(got)>>(23-c.fracBits)&(1<<c.fracBits-1) != uint32(frac) {
					t.Fatalf("%v %#04x: got %#08x, want a NaN with fraction %#x", c.dt, x, math.Float32bits(got), frac)
				}
				continue
			}
			if float64(got) != want || math.Signbit(float64(got)) != (sign == 1) {
				t.Fatalf("%v %#04x: got %v, want %v", c.dt, x, got, want)
			}
		}
	}
}
