package tensor

import (
	"fmt"
	"math"
)

// DType is the element type of a Tensor. Compute is always float32; the
// 16-bit types only hold weights compactly (a BF16 checkpoint stays half its
// float32 size in the arena), and the ops that read them widen each element
// to float32 exactly: every F16 and every BF16 value is a float32 value.
type DType uint8

const (
	F32  DType = iota // IEEE-754 binary32, one element per slot
	F16               // IEEE-754 binary16: 1 sign, 5 exponent, 10 fraction bits
	BF16              // bfloat16: the high half of a binary32
)

func (dt DType) String() string {
	switch dt {
	case F32:
		return "F32"
	case F16:
		return "F16"
	case BF16:
		return "BF16"
	}
	return fmt.Sprintf("DType(%d)", uint8(dt))
}

// widen returns the float32 value of the bit pattern x of type dt (F16 or
// BF16); the result is exact, infinities and NaNs included.
func widen(dt DType, x uint16) float32 {
	if dt == BF16 {
		return math.Float32frombits(uint32(x) << 16)
	}
	sign := uint32(x&0x8000) << 16
	exp, frac := uint32(x>>10)&0x1f, uint32(x)&0x3ff
	switch exp {
	case 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case 0: // zero or subnormal: frac * 2^-24, a normal float32 (or zero)
		return math.Float32frombits(sign | math.Float32bits(float32(frac)*(1.0/(1<<24))))
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// halfs are the elements of a 16-bit tensor, read in place from its slots.
type halfs struct {
	dt    DType
	slots []float32
}

// at is element i widened to float32.
func (h halfs) at(i int) float32 {
	return widen(h.dt, uint16(math.Float32bits(h.slots[i>>1])>>(16*(i&1))))
}

// widenTo sets dst[j] = h.at(i+j).
func (h halfs) widenTo(dst []float32, i int) {
	for j := range dst {
		dst[j] = h.at(i + j)
	}
}

// check16 panics unless dt is a 16-bit type.
func check16(op string, dt DType) {
	if dt != F16 && dt != BF16 {
		panic(fmt.Sprintf("tensor: %s: %v is not a 16-bit type (F16 or BF16)", op, dt))
	}
}

func (d *CPU) Alloc16(n int, dt DType) Tensor {
	check16("Alloc16", dt)
	t := d.Alloc((n + 1) / 2)
	return Tensor{t.Off, n, dt}
}

func (d *CPU) Upload16(dst Tensor, src []uint16) {
	check16("Upload16", dst.DType)
	if len(src) != dst.Len {
		panic("tensor: Upload16 length mismatch")
	}
	s := d.arena[dst.Off : dst.Off+dst.Slots()]
	for i, x := range src {
		shift := 16 * (i & 1)
		bits := math.Float32bits(s[i>>1])&^(0xffff<<shift) | uint32(x)<<shift
		s[i>>1] = math.Float32frombits(bits)
	}
}

// h16 returns the elements of the 16-bit tensor t.
func (d *CPU) h16(t Tensor) halfs {
	return halfs{t.DType, d.arena[t.Off : t.Off+t.Slots() : t.Off+t.Slots()]}
}

// frozen16 panics when MatmulBackward is asked for the gradient of a 16-bit
// weight.
func frozen16(dweight, weight Tensor) {
	if !dweight.Absent() {
		panic(fmt.Sprintf("tensor: MatmulBackward: a %v weight is frozen; pass an absent dweight (float32 weights have gradients)", weight.DType))
	}
}
