package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func writeBytes(t *testing.T, tensors []Tensor, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, tensors, meta); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteMatchesRustCrate compares with the byte vectors of the Rust
// crate's own serialization tests (test_serialization, test_empty,
// test_serialization_forced_alignement in safetensors/src/tensor.rs).
func TestWriteMatchesRustCrate(t *testing.T) {
	data := []byte{0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64}
	values := []float32{0, 1, 2, 3, 4, 5}
	file := func(n byte, header string, data []byte) []byte {
		b := append([]byte{n, 0, 0, 0, 0, 0, 0, 0}, header...)
		return append(b, data...)
	}
	for _, c := range []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    []byte
	}{
		{"attn.0", []Tensor{{Name: "attn.0", DType: F32, Shape: []int{1, 2, 3}, Data: values}}, nil,
			file(64, `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, data)},
		{"forced alignment", []Tensor{{Name: "attn0", DType: F32, Shape: []int{1, 1, 2, 3}, Data: values}}, nil,
			file(72, `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `, data)},
		{"empty", nil, nil, file(8, `{}      `, nil)},
		{"empty with metadata", nil, map[string]string{"framework": "pt"},
			file(40, `{"__metadata__":{"framework":"pt"}}     `, nil)},
	} {
		if got := writeBytes(t, c.tensors, c.meta); !bytes.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestWriteOrderAndEscapes(t *testing.T) {
	tensors := []Tensor{
		{Name: "b16", DType: F16, Shape: []int{1}, Data: []float32{1}},
		{Name: "a16", DType: F16, Shape: []int{1}, Data: []float32{2}},
		{Name: "bf", DType: BF16, Shape: []int{1}, Data: []float32{3}},
		{Name: "z32", DType: F32, Shape: []int{}, Data: []float32{4}},
		{Name: "q\"\\\n\x01é<", DType: F32, Shape: []int{0}, Data: nil},
	}
	b := writeBytes(t, tensors, map[string]string{"z": "1", "a": "2"})
	header := string(b[8 : 8+binary.LittleEndian.Uint64(b)])
	want := `{"__metadata__":{"a":"2","z":"1"},` +
		`"q\"\\\n\u0001é<":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},` +
		`"z32":{"dtype":"F32","shape":[],"data_offsets":[0,4]},` +
		`"bf":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]},` +
		`"a16":{"dtype":"F16","shape":[1],"data_offsets":[6,8]},` +
		`"b16":{"dtype":"F16","shape":[1],"data_offsets":[8,10]}}`
	if strings.TrimRight(header, " ") != want || len(header)%8 != 0 {
		t.Errorf("header\n got %q\nwant %q padded to 8", header, want)
	}
	f, err := parseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Float32(tensors[4].Name); len(got) != 0 {
		t.Errorf("escaped name read back as %v", got)
	}
}

// TestWriteReadRoundTrip writes each dtype and reads it back, with tensors large
// enough to span several read chunks.
func TestWriteReadRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]float32, 7*10001)
	for i := range values {
		values[i] = float32(rng.NormFloat64() * math.Pow(2, float64(rng.IntN(40)-20)))
	}
	values[0], values[1], values[2] = float32(math.Inf(1)), 0x1p-24, -65504
	var tensors []Tensor
	for _, d := range []DType{F32, F16, BF16} {
		tensors = append(tensors, Tensor{Name: "t" + string(d), DType: d, Shape: []int{7, 10001}, Data: values})
	}
	meta := map[string]string{"format": "pt", "note": "round trip"}
	f, err := parseBytes(writeBytes(t, tensors, meta))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Metadata) != 2 || f.Metadata["note"] != "round trip" {
		t.Errorf("metadata %v", f.Metadata)
	}
	for _, tt := range tensors {
		info, err := f.Info(tt.Name)
		if err != nil || info.DType != tt.DType || !slices.Equal(info.Shape, tt.Shape) {
			t.Fatalf("Info(%q) = %+v, %v", tt.Name, info, err)
		}
		got, err := f.Float32(tt.Name)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range values {
			want := v
			switch tt.DType {
			case F16:
				want = F16ToF32(F32ToF16(v))
			case BF16:
				want = BF16ToF32(F32ToBF16(v))
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("%s[%d] = %g, want %g", tt.Name, i, got[i], want)
			}
		}
	}
}

func TestWriteRejects(t *testing.T) {
	one := []float32{1}
	for _, c := range []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"dtype", []Tensor{{Name: "a", DType: I32, Shape: []int{1}, Data: one}}, nil, `cannot write dtype "I32"`},
		{"duplicate", []Tensor{{Name: "a", DType: F32, Shape: []int{1}, Data: one}, {Name: "a", DType: F16, Shape: []int{1}, Data: one}}, nil, `"a" is used twice`},
		{"shape", []Tensor{{Name: "a", DType: F32, Shape: []int{2}, Data: one}}, nil, "shape [2] needs 2 values but Data has 1"},
		{"negative", []Tensor{{Name: "a", DType: F32, Shape: []int{-1, -1}, Data: one}}, nil, "negative dimension"},
		{"metadata name", []Tensor{{Name: "__metadata__", DType: F32, Shape: []int{1}, Data: one}}, nil, "cannot be called"},
		{"bad UTF-8 name", []Tensor{{Name: "\xff", DType: F32, Shape: []int{1}, Data: one}}, nil, "not valid UTF-8"},
		{"bad UTF-8 metadata", nil, map[string]string{"k": "\xff"}, "not valid UTF-8"},
	} {
		var buf bytes.Buffer
		err := Write(&buf, c.tensors, c.meta)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
