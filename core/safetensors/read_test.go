package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rawFile assembles a file from a header and dataLen zero bytes of data.
func rawFile(header string, dataLen int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, dataLen)...)
}

func parseBytes(b []byte) (*File, error) {
	return Parse(bytes.NewReader(b), int64(len(b)))
}

func TestParseRejects(t *testing.T) {
	f32 := func(name, shape, offsets string) string {
		return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":` + offsets + `}`
	}
	tooLong := binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1)
	pastEnd := append(binary.LittleEndian.AppendUint64(nil, 100), "{}          "...)
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"shorter than 8 bytes", []byte{1, 2, 3}, "too short"},
		{"header over the limit", append(tooLong, "{}"...), "exceeds the 100000000-byte limit"},
		{"header past the end", pastEnd, "runs past the end"},
		{"invalid JSON", rawFile(`{"a":`, 0), "not valid JSON"},
		{"not an object", rawFile(`[1,2]`, 0), "not a JSON object"},
		{"empty header", rawFile(``, 0), "not a JSON object"},
		{"invalid UTF-8", rawFile("{\"\xff\":1}", 0), "UTF-8"},
		{"text after the object", rawFile(`{} x`, 0), "text after"},
		{"entry not an object", rawFile(`{"a":3}`, 0), `tensor "a": entry is not a JSON object`},
		{"unknown dtype", rawFile(`{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}`, 4), `unknown dtype "F31"`},
		{"missing offsets", rawFile(`{"a":{"dtype":"F32","shape":[1]}}`, 4), `"data_offsets" is missing`},
		{"three offsets", rawFile(`{`+f32("a", "[1]", "[0,4,8]")+`}`, 4), "two integers"},
		{"fractional dim", rawFile(`{`+f32("a", "[1.5]", "[0,4]")+`}`, 4), "list of integers"},
		{"null shape", rawFile(`{`+f32("a", "null", "[0,4]")+`}`, 4), "list of integers"},
		{"negative dim", rawFile(`{`+f32("a", "[-1]", "[0,4]")+`}`, 4), "negative dimension"},
		{"shape overflow", rawFile(`{`+f32("a", "[4294967296,4294967296]", "[0,4]")+`}`, 4), "overflows 64 bits"},
		{"size mismatch", rawFile(`{`+f32("a", "[2,3]", "[0,20]")+`}`, 20), "F32 [2 3] needs 24 bytes but data_offsets [0 20] span 20"},
		{"end before begin", rawFile(`{`+f32("a", "[0]", "[8,4]")+`}`, 8), "not 0 <= begin <= end"},
		{"negative begin", rawFile(`{`+f32("a", "[1]", "[-4,0]")+`}`, 0), "not 0 <= begin <= end"},
		{"past the data", rawFile(`{`+f32("a", "[2]", "[0,8]")+`}`, 4), "past its end"},
		{"overlap", rawFile(`{`+f32("a", "[2]", "[0,8]")+`,`+f32("b", "[2]", "[4,12]")+`}`, 12), `tensor "b" (bytes 4..12) overlaps tensor "a"`},
		{"same span twice", rawFile(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("b", "[1]", "[0,4]")+`}`, 4), "overlaps"},
		{"gap", rawFile(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("b", "[1]", "[8,12]")+`}`, 12), `4 unused bytes between tensor "a" and tensor "b"`},
		{"gap at start", rawFile(`{`+f32("a", "[1]", "[4,8]")+`}`, 8), "unused bytes between the start of the data"},
		{"trailing data", rawFile(`{`+f32("a", "[1]", "[0,4]")+`}`, 12), "8 bytes unaccounted for"},
		{"duplicate name", rawFile(`{`+f32("a", "[1]", "[0,4]")+`,`+f32("a", "[1]", "[4,8]")+`}`, 8), `"a" appears twice`},
		{"metadata not strings", rawFile(`{"__metadata__":{"a":1}}`, 0), "__metadata__ must be an object of string values"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseBytes(c.file)
			if err == nil {
				t.Fatalf("parsed; want an error containing %q", c.want)
			}
			if !strings.HasPrefix(err.Error(), "safetensors: ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q; want one containing %q", err, c.want)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, c := range []struct {
		name string
		file []byte
	}{
		{"no tensors", rawFile(`{}`, 0)},
		{"null metadata", rawFile(`{"__metadata__":null}`, 0)},
		{"unknown fields ignored", rawFile(`{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3],"extra":1}}`, 3)},
		{"scalar and empty tensors", rawFile(`{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[8,8]}}`, 8)},
		{"any key order", rawFile(`{"b":{"dtype":"I8","shape":[1],"data_offsets":[2,3]},"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}`, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := parseBytes(c.file); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseTruncatedReader(t *testing.T) {
	b := rawFile(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 16)
	f, err := Parse(bytes.NewReader(b[:len(b)-4]), int64(len(b)))
	if err != nil {
		t.Fatal(err) // the header is intact; the data is read later
	}
	if _, err := f.Float32("a"); err == nil || !strings.Contains(err.Error(), `reading tensor "a": unexpected EOF`) {
		t.Fatalf("got %v, want an unexpected EOF reading tensor a", err)
	}
}

func TestReadIntegers(t *testing.T) {
	header := `{"i":{"dtype":"I32","shape":[2],"data_offsets":[16,24]},"l":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}`
	b := rawFile(header, 0)
	b = binary.LittleEndian.AppendUint64(b, uint64(1<<40))
	b = binary.LittleEndian.AppendUint64(b, math.MaxUint64) // -1
	b = binary.LittleEndian.AppendUint32(b, 7)
	b = binary.LittleEndian.AppendUint32(b, math.MaxUint32-2) // -3
	f, err := parseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if names := []string{f.Tensors()[0].Name, f.Tensors()[1].Name}; !slices.Equal(names, []string{"l", "i"}) {
		t.Errorf("Tensors in data order: %v, want [l i]", names)
	}
	for name, want := range map[string][]int64{"l": {1 << 40, -1}, "i": {7, -3}} {
		got, err := f.Int64(name)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Int64(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := f.Float32("i"); err == nil || !strings.Contains(err.Error(), "I32; only F32, F16 and BF16") {
		t.Errorf("Float32 of an I32 tensor: %v", err)
	}
}

func TestReadErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []Tensor{{Name: "w", DType: F32, Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := parseBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Float32("nope"); err == nil || !strings.Contains(err.Error(), `no tensor "nope"`) {
		t.Errorf("unknown name: %v", err)
	}
	if err := f.ReadFloat32("w", make([]float32, 3)); err == nil || !strings.Contains(err.Error(), "shape [2 2] (4 elements) but the destination holds 3") {
		t.Errorf("short destination: %v", err)
	}
	if _, err := f.Int64("w"); err == nil || !strings.Contains(err.Error(), "only I32 and I64") {
		t.Errorf("Int64 of F32: %v", err)
	}
}

func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	var buf bytes.Buffer
	if err := Write(&buf, []Tensor{{Name: "x", DType: F16, Shape: []int{3}, Data: []float32{1, -2, 0.5}}}, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.Float32("x")
	if err != nil || !slices.Equal(got, []float32{1, -2, 0.5}) || f.Metadata["format"] != "pt" {
		t.Fatalf("got %v %v metadata %v", got, err, f.Metadata)
	}

	if err := os.WriteFile(path, []byte("not safetensors at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), path+": header length") {
		t.Errorf("Open of a text file: %v", err)
	}
}

// TestReadUint16 reads the 16-bit tensors of the Llama fixtures (F16 and
// BF16 checkpoints written by PyTorch) as raw bits: each widens to the
// float32 that ReadFloat32 gives.
func TestReadUint16(t *testing.T) {
	for dir, dt := range map[string]DType{"mqa": F16, "llama3": BF16} {
		f, err := Open(filepath.Join("..", "..", "tests", "reference", "llama", dir, "model", "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		widen := F16ToF32
		if dt == BF16 {
			widen = BF16ToF32
		}
		n := 0
		for _, info := range f.Tensors() {
			if info.DType != dt {
				continue
			}
			bits := make([]uint16, info.NumElements())
			if err := f.ReadUint16(info.Name, bits); err != nil {
				t.Fatal(err)
			}
			want, err := f.Float32(info.Name)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range bits {
				if math.Float32bits(widen(b)) != math.Float32bits(want[i]) {
					t.Fatalf("%s %s[%d]: bits %#04x widen to %g, ReadFloat32 gives %g", dir, info.Name, i, b, widen(b), want[i])
				}
			}
			n++
		}
		if n == 0 {
			t.Fatalf("%s: no %s tensor", dir, dt)
		}
		if err := f.ReadUint16(f.Tensors()[0].Name, make([]uint16, 1)); err == nil || !strings.Contains(err.Error(), "destination holds 1") {
			t.Errorf("a short destination: %v", err)
		}
	}
	f32, err := parseBytes(rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4))
	if err != nil {
		t.Fatal(err)
	}
	if err := f32.ReadUint16("a", make([]uint16, 1)); err == nil || !strings.Contains(err.Error(), "only F16 and BF16") {
		t.Errorf("an F32 tensor read as 16-bit: %v", err)
	}
}
