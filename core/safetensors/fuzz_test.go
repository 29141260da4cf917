package safetensors

import (
	"encoding/binary"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse (seeds in testdata/fuzz): it must
// never panic, and whatever it accepts must tile the file exactly and read
// back. Allocation stays bounded: the header buffer is at most the file size
// and a tensor's values at most twice its bytes (F16 as float32).
//
//	go test ./core/safetensors -run '^$' -fuzz FuzzParse -fuzztime 1m
func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add(rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := parseBytes(b)
		if err != nil {
			if file != nil {
				t.Fatal("non-nil File with an error")
			}
			return
		}
		end := 8 + int64(binary.LittleEndian.Uint64(b))
		for _, info := range file.Tensors() {
			if file.data+info.Begin != end {
				t.Fatalf("tensor %q starts at data byte %d, previous ended at file byte %d", info.Name, info.Begin, end)
			}
			end = file.data + info.End
			var n int
			switch info.DType {
			case F32, F16, BF16:
				v, err := file.Float32(info.Name)
				if err != nil {
					t.Fatal(err)
				}
				n = len(v)
			case I32, I64:
				v, err := file.Int64(info.Name)
				if err != nil {
					t.Fatal(err)
				}
				n = len(v)
			default:
				n = info.NumElements()
			}
			if n != info.NumElements() {
				t.Fatalf("tensor %q read %d values, shape %v", info.Name, n, info.Shape)
			}
		}
		if end != int64(len(b)) {
			t.Fatalf("tensors end at byte %d of a %d-byte file", end, len(b))
		}
	})
}
