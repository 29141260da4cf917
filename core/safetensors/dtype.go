package safetensors

import "fmt"

// DType is a safetensors element type, spelled as in the header ("F32").
type DType string

// The element types of the Rust crate, in its order of increasing
// alignment, which is the order Write sorts by (largest first).
const (
	BOOL   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
)

var dtypes = []DType{BOOL, U8, I8, F8E5M2, F8E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64}

// Size is the number of bytes of one element, or 0 for an unknown dtype.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8, F8E5M2, F8E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}

// rank is the position of d in the crate's dtype order.
func (d DType) rank() int {
	for i, t := range dtypes {
		if t == d {
			return i
		}
	}
	return -1
}

func parseDType(s string) (DType, error) {
	d := DType(s)
	if d.Size() == 0 {
		return "", fmt.Errorf("unknown dtype %q (known: %v)", s, dtypes)
	}
	return d, nil
}
