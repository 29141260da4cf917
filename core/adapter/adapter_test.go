package adapter

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"prefixtune/core/safetensors"
)

// The fixture written by tests/reference/adapter/make_adapter.py.
const fixture = "../../tests/reference/adapter/tiny"

func fixtureConfig() Config {
	return NewConfig("models/démo-gpt2", 5, 2, 4, 64)
}

// fixturePrompt rebuilds the fixture's values, ((i*7919)%2001-1000)/1024.
func fixturePrompt() []float32 {
	p := make([]float32, 5*2*2*64)
	for i := range p {
		p[i] = float32((i*7919)%2001-1000) / 1024
	}
	return p
}

func TestReadPythonFixture(t *testing.T) {
	cfg, prompt, err := Read(fixture)
	if err != nil {
		t.Fatal(err)
	}
	if cfg != fixtureConfig() {
		t.Errorf("config\n got %+v\nwant %+v", cfg, fixtureConfig())
	}
	if !slices.Equal(prompt, fixturePrompt()) {
		t.Errorf("prompt differs from the fixture's formula")
	}
}

// TestEncodeMatchesPython: our bytes equal those PEFT and safetensors write.
func TestEncodeMatchesPython(t *testing.T) {
	configJSON, weights, err := Encode(fixtureConfig(), fixturePrompt())
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{ConfigFile: configJSON, WeightsFile: weights} {
		want, err := os.ReadFile(filepath.Join(fixture, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the Python fixture:\n got %q\nwant %q", name, head(got), head(want))
		}
	}
}

func head(b []byte) []byte {
	return b[:min(len(b), 400)]
}

func TestWriteReadRoundTrip(t *testing.T) {
	cfg := NewConfig("", 3, 4, 2, 8)
	cfg.Revision = "v1"
	prompt := make([]float32, 3*4*2*8)
	for i := range prompt {
		prompt[i] = float32(math.Sin(float64(i))) * 3
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(dir, cfg, prompt); err != nil {
		t.Fatal(err)
	}
	got, gotPrompt, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != cfg || !slices.Equal(gotPrompt, prompt) {
		t.Errorf("round trip: config %+v, want %+v; prompt equal %v", got, cfg, slices.Equal(gotPrompt, prompt))
	}
	b, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	if !strings.Contains(string(b), `"base_model_name_or_path": null,`) || !strings.Contains(string(b), `"revision": "v1",`) {
		t.Errorf("config file:\n%s", b)
	}
}

// TestDecodeHalfPrecision: a prompt saved from a float16 model reads back.
func TestDecodeHalfPrecision(t *testing.T) {
	cfg := fixtureConfig()
	configJSON, _, err := Encode(cfg, fixturePrompt())
	if err != nil {
		t.Fatal(err)
	}
	var st bytes.Buffer
	shape := cfg.Shape()
	tensor := safetensors.Tensor{Name: TensorName, DType: safetensors.F16, Shape: shape[:], Data: fixturePrompt()}
	if err := safetensors.Write(&st, []safetensors.Tensor{tensor}, nil); err != nil {
		t.Fatal(err)
	}
	_, prompt, err := Decode(configJSON, st.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(prompt, fixturePrompt()) { // the values are exact in float16
		t.Error("F16 prompt read back differently")
	}
}

func TestDecodeRejects(t *testing.T) {
	cfg := fixtureConfig()
	goodConfig, goodWeights, err := Encode(cfg, fixturePrompt())
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) []byte {
		if !bytes.Contains(goodConfig, []byte(old)) {
			t.Fatalf("config has no %q", old)
		}
		return bytes.Replace(goodConfig, []byte(old), []byte(new), 1)
	}
	weights := func(tensors ...safetensors.Tensor) []byte {
		var b bytes.Buffer
		if err := safetensors.Write(&b, tensors, map[string]string{"format": "pt"}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	prompt := func(name string, shape ...int) safetensors.Tensor {
		return safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape, Data: make([]float32, shape[0]*shape[1])}
	}
	truncated := slices.Clone(goodWeights[:len(goodWeights)-4])
	for _, c := range []struct {
		name            string
		config, weights []byte
		want            string
	}{
		{"LoRA", edit(`"PREFIX_TUNING"`, `"LORA"`), goodWeights, `adapter_config.json: peft_type is "LORA"; only "PREFIX_TUNING"`},
		{"no peft_type", []byte(`{"r": 8}`), goodWeights, "peft_type is missing"},
		{"not JSON", []byte(`{"peft_type": `), goodWeights, "adapter_config.json: not a valid config"},
		{"seq2seq", edit(`"CAUSAL_LM"`, `"SEQ_2_SEQ_LM"`), goodWeights, `task_type is "SEQ_2_SEQ_LM"`},
		{"two submodules", edit(`"num_transformer_submodules": 1`, `"num_transformer_submodules": 2`), goodWeights, "num_transformer_submodules is 2"},
		{"heads do not divide", edit(`"num_attention_heads": 4`, `"num_attention_heads": 3`), goodWeights, "token_dim 64 is not a multiple of num_attention_heads 3"},
		{"zero layers", edit(`"num_layers": 2`, `"num_layers": 0`), goodWeights, "must all be positive"},
		{"huge", edit(`"num_virtual_tokens": 5`, `"num_virtual_tokens": 5000000000`), goodWeights, "too large"},
		{"shape mismatch", edit(`"num_layers": 2`, `"num_layers": 1`), goodWeights,
			"adapter_model.safetensors: prompt_embeddings has shape [5 256], but adapter_config.json says 5 virtual tokens x 1 layers x 2 (key, value) x 64 token_dim = [5 128]"},
		{"wrong name", goodConfig, weights(prompt("embedding.weight", 5, 256)), `holds tensors ["embedding.weight"]; a prefix-tuning adapter holds only "prompt_embeddings"`},
		{"extra tensor", goodConfig, weights(prompt(TensorName, 5, 256), prompt("mlp.weight", 2, 2)), `holds tensors`},
		{"transposed", goodConfig, weights(prompt(TensorName, 256, 5)), "has shape [256 5]"},
		{"truncated", goodConfig, truncated, "adapter_model.safetensors: safetensors: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := Decode(c.config, c.weights)
			if err == nil || !strings.HasPrefix(err.Error(), "adapter: ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v; want one containing %q", err, c.want)
			}
		})
	}
}

func TestEncodeRejects(t *testing.T) {
	cfg := fixtureConfig()
	if _, _, err := Encode(cfg, make([]float32, 10)); err == nil || !strings.Contains(err.Error(),
		"prompt has 10 values, but 5 virtual tokens x 2 layers x 2 (key, value) x 64 token_dim = [5 256] needs 1280") {
		t.Errorf("short prompt: %v", err)
	}
	cfg.PrefixProjection = true
	if _, _, err := Encode(cfg, fixturePrompt()); err == nil || !strings.Contains(err.Error(), "set PrefixProjection false") {
		t.Errorf("prefix projection: %v", err)
	}
	cfg = fixtureConfig()
	cfg.PeftType = "P_TUNING"
	if _, _, err := Encode(cfg, fixturePrompt()); err == nil || !strings.Contains(err.Error(), `peft_type is "P_TUNING"`) {
		t.Errorf("P_TUNING: %v", err)
	}
}

// TestDecodeAcceptsPEFTVariants: newer PEFT keys are ignored, and a config
// saved with the projection MLP (same stored tensor) is read.
func TestDecodeAcceptsPEFTVariants(t *testing.T) {
	configJSON, weights, err := Encode(fixtureConfig(), fixturePrompt())
	if err != nil {
		t.Fatal(err)
	}
	configJSON = bytes.Replace(configJSON, []byte(`"prefix_projection": false`), []byte(`"prefix_projection": true`), 1)
	configJSON = bytes.Replace(configJSON, []byte(`"auto_mapping": null`),
		[]byte(`"auto_mapping": {"base_model_class": "GPT2LMHeadModel", "parent_library": "transformers"}, "init_weights": null, "peft_version": "0.17.0"`), 1)
	cfg, _, err := Decode(configJSON, weights)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.PrefixProjection {
		t.Error("prefix_projection true read as false")
	}
}

func TestReadRefusesPickle(t *testing.T) {
	dir := t.TempDir()
	configJSON, _, err := Encode(fixtureConfig(), fixturePrompt())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), configJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, PickleFile), []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "only safetensors weights are supported") {
		t.Errorf("adapter_model.bin: %v", err)
	}
	if err := os.Remove(filepath.Join(dir, PickleFile)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("no weights: %v", err)
	}
}

func TestPyString(t *testing.T) {
	// Expected values from Python: json.dumps(s).
	for s, want := range map[string]string{
		"gpt2":         `"gpt2"`,
		"a\"b\\c/d<e>": `"a\"b\\c/d<e>"`,
		"\x7f\x01\b\t": `"\u007f\u0001\b\t"`,
		"é😀":           `"\u00e9\ud83d\ude00"`,
	} {
		if got := pyString(s); got != want {
			t.Errorf("pyString(%q) = %s, want %s", s, got, want)
		}
	}
}

// The prompt tensor's data is little-endian float32 right after the header.
func TestWeightsLayout(t *testing.T) {
	_, weights, err := Encode(fixtureConfig(), fixturePrompt())
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(weights)
	first := math.Float32frombits(binary.LittleEndian.Uint32(weights[8+n:]))
	if first != fixturePrompt()[0] || len(weights) != int(8+n)+4*len(fixturePrompt()) {
		t.Errorf("first value %g, size %d", first, len(weights))
	}
}
