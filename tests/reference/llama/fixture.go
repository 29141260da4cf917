// Package llama gives Go tests access to the PyTorch fixtures in this
// directory (made by make_fixtures.py; see README.md): one folder per
// random Llama configuration, with its model, initial adapter and the
// values of expected.json and expected.safetensors.
package llama

import (
	"encoding/json"
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

// Configs are the fixture configurations, each a folder of Dir: grouped
// queries (F32 weights), multi-query with three heads and an untied head
// (F16 weights), and llama3 rope scaling (BF16 weights).
var Configs = []string{"gqa", "mqa", "llama3"}

// Path joins names onto the folder of configuration cfg.
func Path(cfg string, names ...string) string {
	return filepath.Join(append([]string{Dir, cfg}, names...)...)
}

// Expected decodes the value of key in cfg's expected.json into v.
func Expected(t testing.TB, cfg, key string, v any) {
	t.Helper()
	b, err := os.ReadFile(Path(cfg, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		t.Fatal(err)
	}
	raw, ok := all[key]
	if !ok {
		t.Fatalf("%s/expected.json has no %s", cfg, key)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s/expected.json %s: %v", cfg, key, err)
	}
}

// Tensor returns a tensor of cfg's expected.safetensors.
func Tensor(t testing.TB, cfg, name string) []float32 {
	t.Helper()
	f, err := safetensors.Open(Path(cfg, "expected.safetensors"))
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
