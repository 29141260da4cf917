package kernels

import (
	"fmt"

	"prefixtune/core/tensor"
)

// 16-bit weights (ABI.md): a tensor of n F16 or BF16 elements occupies
// (n+1)/2 slots, two elements per slot, element 2k in the low half; the
// exports that read weights take the weight's type code beside its pointer
// (0 float32, 1 F16, 2 BF16: the values of tensor.DType).

func (d *Device) Alloc16(n int, dt tensor.DType) tensor.Tensor {
	if dt != tensor.F16 && dt != tensor.BF16 {
		panic(fmt.Sprintf("kernels: Alloc16: %v is not a 16-bit type (F16 or BF16)", dt))
	}
	t := d.Alloc((n + 1) / 2)
	t.Len, t.DType = n, dt
	return t
}

func (d *Device) Upload16(dst tensor.Tensor, src []uint16) {
	if dst.DType != tensor.F16 && dst.DType != tensor.BF16 {
		panic(fmt.Sprintf("kernels: Upload16 into a %v tensor; it needs a 16-bit one (Alloc16)", dst.DType))
	}
	if dst.Len < len(src) {
		panic(fmt.Sprintf("kernels: Upload16: dst has %d elements, needs %d", dst.Len, len(src)))
	}
	d.be.write(4*dst.Off, bytesOf(src))
}

// wref returns the byte offset and the type code of a weight of any type,
// after checking that it holds n elements.
func wref(op, what string, t tensor.Tensor, n int) (off, code uint32) {
	if t.Len < n {
		panic(fmt.Sprintf("kernels: %s: %s has %d elements, needs %d", op, what, t.Len, n))
	}
	return uint32(4 * t.Off), uint32(t.DType)
}

// frozen panics when a weight gradient is asked of a 16-bit weight.
func frozen(op string, weight tensor.Tensor) {
	if weight.DType != tensor.F32 {
		panic(fmt.Sprintf("kernels: %s: a %v weight is frozen; pass an absent dweight (float32 weights have gradients)", op, weight.DType))
	}
}
