package safetensors

import "math"

// F16ToF32 converts IEEE binary16 bits to float32. The conversion is exact;
// a NaN keeps its sign and payload and becomes quiet.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f && mant == 0:
		return math.Float32frombits(sign | 0x7f800000)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7fc00000 | mant<<13)
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		// Subnormal: mant * 2^-24. Shift the leading one into the
		// implicit position.
		e := uint32(127 - 14)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// F32ToF16 converts float32 to IEEE binary16 bits, rounding to nearest with
// ties to even. Values beyond the binary16 range become infinities; a NaN
// becomes the quiet NaN 0x7e00 with its sign, as in PyTorch.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal (or zero) result: round (1.mant * 2^(exp-127)) / 2^-24.
		shift := uint(126 - exp)
		if shift > 24 {
			return sign
		}
		return sign | uint16(roundShift(mant|0x800000, shift))
	}
	// A carry out of the mantissa bumps the exponent, up to infinity.
	return sign | uint16(roundShift(uint32(e)<<23|mant, 13))
}

// roundShift returns v >> s rounded to nearest, ties to even (1 <= s < 32).
func roundShift(v uint32, s uint) uint32 {
	q := v >> s
	r := v & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if r > half || r == half && q&1 == 1 {
		q++
	}
	return q
}

// BF16ToF32 converts bfloat16 bits to float32: they are its top 16 bits.
func BF16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// F32ToBF16 converts float32 to bfloat16 bits, rounding to nearest with ties
// to even; values beyond the range become infinities. A NaN becomes 0xffff,
// the NaN PyTorch's CPU kernels produce.
func F32ToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return 0xffff
	}
	return uint16(roundShift(b, 16))
}
