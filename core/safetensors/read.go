package safetensors

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// File is a parsed safetensors file. Its tensors are read on demand from the
// io.ReaderAt it was parsed from.
type File struct {
	Metadata map[string]string // the header's "__metadata__"; nil if absent

	r      io.ReaderAt
	data   int64  // file offset of the data section
	infos  []Info // in data order
	index  map[string]int
	closer io.Closer
}

// Open opens and parses the safetensors file at path. Close it when done.
func Open(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := parse(fd, st.Size())
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	f.closer = fd
	return f, nil
}

// Parse reads and checks the header of the size-byte safetensors file r.
// Reading tensors later reads from r; Close does not close it.
func Parse(r io.ReaderAt, size int64) (*File, error) {
	f, err := parse(r, size)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return f, nil
}

func parse(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length", size)
	}
	var lenBuf [8]byte
	if err := readFull(r, lenBuf[:], 0); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("header length %d exceeds the %d-byte limit (not a safetensors file?)", n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("header length %d runs past the end of the %d-byte file", n, size)
	}
	header := make([]byte, n)
	if err := readFull(r, header, 8); err != nil {
		return nil, err
	}
	infos, meta, err := parseHeader(header)
	if err != nil {
		return nil, err
	}
	if err := checkLayout(infos, size-8-int64(n)); err != nil {
		return nil, err
	}
	f := &File{Metadata: meta, r: r, data: 8 + int64(n), infos: infos, index: make(map[string]int, len(infos))}
	for i, t := range infos {
		f.index[t.Name] = i
	}
	return f, nil
}

// Close closes the file opened by Open; for a File from Parse it does
// nothing.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// Tensors lists the tensors in the order of their data in the file.
func (f *File) Tensors() []Info {
	return append([]Info(nil), f.infos...)
}

// Info describes the tensor called name.
func (f *File) Info(name string) (Info, error) {
	i, ok := f.index[name]
	if !ok {
		return Info{}, fmt.Errorf("safetensors: no tensor %q in the file", name)
	}
	return f.infos[i], nil
}

// Float32 reads the tensor called name, converting F16 and BF16 to float32.
func (f *File) Float32(name string) ([]float32, error) {
	t, err := f.Info(name)
	if err != nil {
		return nil, err
	}
	dst := make([]float32, t.NumElements())
	return dst, f.ReadFloat32(name, dst)
}

// ReadFloat32 reads the F32, F16 or BF16 tensor called name into dst, which
// must hold exactly its number of elements. It reads in small chunks and
// allocates nothing in proportion to the tensor.
func (f *File) ReadFloat32(name string, dst []float32) error {
	t, err := f.Info(name)
	if err != nil {
		return err
	}
	if len(dst) != t.NumElements() {
		return fmt.Errorf("safetensors: tensor %q has shape %v (%d elements) but the destination holds %d",
			name, t.Shape, t.NumElements(), len(dst))
	}
	var decode func(b []byte, dst []float32)
	switch t.DType {
	case F32:
		decode = func(b []byte, dst []float32) {
			for i := range dst {
				dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			}
		}
	case F16:
		decode = func(b []byte, dst []float32) {
			for i := range dst {
				dst[i] = F16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
			}
		}
	case BF16:
		decode = func(b []byte, dst []float32) {
			for i := range dst {
				dst[i] = BF16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
			}
		}
	default:
		return fmt.Errorf("safetensors: tensor %q is %s; only F32, F16 and BF16 read as float32", name, t.DType)
	}
	return f.stream(t, func(b []byte, first int) {
		decode(b, dst[first:first+len(b)/t.DType.Size()])
	})
}

// ReadUint16 reads the bits of the F16 or BF16 tensor called name into
// dst, which must hold exactly its number of elements: the raw 16-bit
// values, unconverted, so that a 16-bit weight reaches a 16-bit tensor
// without a float32 copy. Like ReadFloat32 it reads in small chunks.
func (f *File) ReadUint16(name string, dst []uint16) error {
	t, err := f.Info(name)
	if err != nil {
		return err
	}
	if t.DType != F16 && t.DType != BF16 {
		return fmt.Errorf("safetensors: tensor %q is %s; only F16 and BF16 read as 16-bit values", name, t.DType)
	}
	if len(dst) != t.NumElements() {
		return fmt.Errorf("safetensors: tensor %q has shape %v (%d elements) but the destination holds %d",
			name, t.Shape, t.NumElements(), len(dst))
	}
	return f.stream(t, func(b []byte, first int) {
		for i := range len(b) / 2 {
			dst[first+i] = binary.LittleEndian.Uint16(b[2*i:])
		}
	})
}

// Int64 reads the I32 or I64 tensor called name.
func (f *File) Int64(name string) ([]int64, error) {
	t, err := f.Info(name)
	if err != nil {
		return nil, err
	}
	dst := make([]int64, t.NumElements())
	switch t.DType {
	case I32:
		err = f.stream(t, func(b []byte, first int) {
			for i := 0; i < len(b)/4; i++ {
				dst[first+i] = int64(int32(binary.LittleEndian.Uint32(b[4*i:])))
			}
		})
	case I64:
		err = f.stream(t, func(b []byte, first int) {
			for i := 0; i < len(b)/8; i++ {
				dst[first+i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
			}
		})
	default:
		return nil, fmt.Errorf("safetensors: tensor %q is %s; only I32 and I64 read as int64", name, t.DType)
	}
	return dst, err
}

// chunkBytes is the read size of stream; a multiple of every element size.
const chunkBytes = 64 << 10

// stream reads tensor t in chunks of whole elements and hands each chunk to
// each with the index of its first element.
func (f *File) stream(t Info, each func(b []byte, first int)) error {
	size := int64(t.DType.Size())
	buf := make([]byte, min(chunkBytes, t.End-t.Begin))
	for off := t.Begin; off < t.End; {
		b := buf[:min(int64(len(buf)), t.End-off)]
		if err := readFull(f.r, b, f.data+off); err != nil {
			return fmt.Errorf("safetensors: reading tensor %q: %w", t.Name, err)
		}
		each(b, int((off-t.Begin)/size))
		off += int64(len(b))
	}
	return nil
}

func readFull(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}
