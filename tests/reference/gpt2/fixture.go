// Package gpt2 gives Go tests access to the PyTorch fixtures in this
// directory (made by make_fixtures.py; see README.md): its path, the
// values of expected.json and the tensors of expected.safetensors.
package gpt2

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"prefixtune/core/safetensors"
)

// Dir is the directory of the fixtures.
var Dir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}()

// Path joins names onto Dir.
func Path(names ...string) string { return filepath.Join(append([]string{Dir}, names...)...) }

// Expected decodes the value of key in expected.json into v.
func Expected(t testing.TB, key string, v any) {
	t.Helper()
	b, err := os.ReadFile(Path("expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	raw, ok := all[key]
	if !ok {
		t.Fatalf("expected.json has no %s", key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("expected.json %s: %v", key, err)
	}
}

// Tensor returns a tensor of expected.safetensors.
func Tensor(t testing.TB, name string) []float32 {
	t.Helper()
	f, err := safetensors.Open(Path("expected.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := f.Float32(name)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Near reports whether a scalar agrees with PyTorch's b:
// |a-b| <= 1e-4 * max(1, |b|).
func Near(a, b float64) bool { return math.Abs(a-b) <= 1e-4*math.Max(1, math.Abs(b)) }
