package safetensors

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// Tensor is a float32 tensor to write. DType (F32, F16 or BF16) selects the
// stored encoding; F16 and BF16 are rounded to nearest, ties to even.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []float32 // row-major, len = product of Shape
}

// Write writes tensors and metadata (omitted when empty) as a safetensors
// file, byte for byte as the Rust crate and the Python library would.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	order, err := writeOrder(tensors)
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
		}
	}
	header := encodeHeader(tensors, order, metadata)
	if len(header) > MaxHeaderSize {
		return fmt.Errorf("safetensors: header of %d bytes exceeds the %d-byte limit", len(header), MaxHeaderSize)
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(header)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	buf := make([]byte, 0, chunkBytes)
	for _, i := range order {
		t := tensors[i]
		for _, v := range t.Data {
			switch t.DType {
			case F32:
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			case F16:
				buf = binary.LittleEndian.AppendUint16(buf, F32ToF16(v))
			case BF16:
				buf = binary.LittleEndian.AppendUint16(buf, F32ToBF16(v))
			}
			if len(buf) == cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	}
	_, err = w.Write(buf)
	return err
}

// writeOrder checks tensors and returns their indices in file order: by
// dtype, largest alignment first, then by name.
func writeOrder(tensors []Tensor) ([]int, error) {
	seen := map[string]bool{}
	order := make([]int, len(tensors))
	for i, t := range tensors {
		switch {
		case t.Name == metadataKey:
			return nil, fmt.Errorf("a tensor cannot be called %q", metadataKey)
		case !utf8.ValidString(t.Name):
			return nil, fmt.Errorf("tensor name %q is not valid UTF-8", t.Name)
		case seen[t.Name]:
			return nil, fmt.Errorf("tensor name %q is used twice", t.Name)
		case t.DType != F32 && t.DType != F16 && t.DType != BF16:
			return nil, fmt.Errorf("tensor %q: cannot write dtype %q; use F32, F16 or BF16", t.Name, t.DType)
		}
		seen[t.Name] = true
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("tensor %q: shape %v has a negative dimension", t.Name, t.Shape)
			}
			n *= d
		}
		if n != len(t.Data) {
			return nil, fmt.Errorf("tensor %q: shape %v needs %d values but Data has %d", t.Name, t.Shape, n, len(t.Data))
		}
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ta, tb := tensors[order[a]], tensors[order[b]]
		if ta.DType != tb.DType {
			return ta.DType.rank() > tb.DType.rank()
		}
		return ta.Name < tb.Name
	})
	return order, nil
}

// encodeHeader writes the header JSON as serde_json does (compact, keys in
// insertion order, the same string escapes) and pads it with spaces to a
// multiple of 8 bytes.
func encodeHeader(tensors []Tensor, order []int, metadata map[string]string) []byte {
	b := []byte{'{'}
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = appendString(b, metadataKey)
		b = append(b, ":{"...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, metadata[k])
		}
		b = append(b, '}')
	}
	var offset int64
	for _, i := range order {
		t := tensors[i]
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendString(b, t.Name)
		b = append(b, `:{"dtype":`...)
		b = appendString(b, string(t.DType))
		b = append(b, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		end := offset + int64(len(t.Data)*t.DType.Size())
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendInt(b, offset, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, end, 10)
		b = append(b, "]}"...)
		offset = end
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	return b
}

// appendString appends s as a JSON string escaped like serde_json: only '"',
// '\\' and control characters, with lowercase \u00xx for those without a
// short form. s is valid UTF-8.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}
