package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
)

var tiny = Config{ModelType: "gpt2", NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: 11, LayerNorm: 1e-5, Activation: "gelu_new", EOSTokenID: 10}

func TestSaveLoadRoundTrip(t *testing.T) {
	d := tensor.NewCPU()
	m, err := New(d, tiny)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(7)
	for _, dtype := range []safetensors.DType{safetensors.F32, safetensors.F16} {
		dir := t.TempDir()
		if err := m.Save(dir, dtype); err != nil {
			t.Fatal(err)
		}
		back, err := Load(tensor.NewCPU(), dir)
		if err != nil {
			t.Fatal(err)
		}
		if back.Config != m.Config {
			t.Errorf("%s: config %+v, saved %+v", dtype, back.Config, m.Config)
		}
		want, got := d.F(m.Params.All), back.Dev.(*tensor.CPU).F(back.Params.All)
		for i := range want {
			exact := dtype == safetensors.F32 && got[i] != want[i]
			if exact || got[i]-want[i] > 1e-3 || want[i]-got[i] > 1e-3 {
				t.Fatalf("%s: parameter %d = %g after the round trip, saved %g", dtype, i, got[i], want[i])
			}
		}
	}
}

// TestLoadWithoutTransformerPrefix loads a checkpoint whose names lack
// "transformer.", as the original GPT-2 uploads have.
func TestLoadWithoutTransformerPrefix(t *testing.T) {
	m, _ := New(tensor.NewCPU(), tiny)
	m.InitRandom(1)
	dir := t.TempDir()
	if err := m.Save(dir, safetensors.F32); err != nil {
		t.Fatal(err)
	}
	rewrite(t, dir, func(ts []safetensors.Tensor) []safetensors.Tensor {
		for i := range ts {
			ts[i].Name = strings.TrimPrefix(ts[i].Name, "transformer.")
		}
		return ts
	})
	if _, err := Load(tensor.NewCPU(), dir); err != nil {
		t.Fatal(err)
	}
}

func TestLoadErrors(t *testing.T) {
	m, _ := New(tensor.NewCPU(), tiny)
	for _, c := range []struct {
		name   string
		change func([]safetensors.Tensor) []safetensors.Tensor
		want   string
	}{
		{"missing tensor", func(ts []safetensors.Tensor) []safetensors.Tensor { return ts[1:] }, "is missing"},
		{"wrong shape", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == "transformer.ln_f.bias" {
					ts[i].Shape, ts[i].Data = []int{7}, ts[i].Data[:7]
				}
			}
			return ts
		}, "has shape [7], config.json implies [8]"},
		{"no embeddings", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				ts[i].Name = "model." + ts[i].Name
			}
			return ts
		}, "not a GPT-2 checkpoint"},
	} {
		dir := t.TempDir()
		if err := m.Save(dir, safetensors.F32); err != nil {
			t.Fatal(err)
		}
		rewrite(t, dir, c.change)
		if _, err := Load(tensor.NewCPU(), dir); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{"model_type":"llama"}`, "not supported"},
		{`{"model_type":"gpt2","n_layer":2,"n_head":3,"n_embd":8,"n_positions":16,"vocab_size":11}`, "must be positive and divide"},
		{`{"model_type":"gpt2","n_layer":0,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":11}`, "n_layer 0"},
		{`{"model_type":"gpt2","n_layer":2,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":11,"activation_function":"relu"}`, "only the tanh GELU"},
		{`{"model_type":"gpt2","n_layer":2,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":1e12}`, "not valid JSON"},
		{`{"model_type":"gpt2","n_layer":2,"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":99999999}`, "vocab_size"},
		{`not json`, "not valid JSON"},
	} {
		if _, err := ParseConfig([]byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.json, err, c.want)
		}
	}
}

// rewrite applies change to the tensors of dir's model.safetensors.
func rewrite(t *testing.T, dir string, change func([]safetensors.Tensor) []safetensors.Tensor) {
	t.Helper()
	path := filepath.Join(dir, "model.safetensors")
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var ts []safetensors.Tensor
	for _, info := range f.Tensors() {
		data, err := f.Float32(info.Name)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, safetensors.Tensor{Name: info.Name, DType: safetensors.F32, Shape: info.Shape, Data: data})
	}
	f.Close()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := safetensors.Write(out, change(ts), nil); err != nil {
		t.Fatal(err)
	}
}
