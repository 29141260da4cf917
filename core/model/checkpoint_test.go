package model

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
)

var tiny = Config{ModelType: "gpt2", NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: 11, LayerNorm: 1e-5, Activation: "gelu_new", EOSTokenID: 10}

// TestSaveLoadRoundTrip saves a GPT-2 and a Llama in every dtype and loads
// them back: float32 exactly; F16 and BF16 files keep their matrices 16-bit
// on the device, and the model computes the same losses up to the rounding.
func TestSaveLoadRoundTrip(t *testing.T) {
	for _, c := range []Config{tiny, llamaTiny} {
		d := tensor.NewCPU()
		m, err := New(d, c)
		if err != nil {
			t.Fatal(err)
		}
		m.InitRandom(7)
		before := losses(t, m)
		for _, dtype := range []safetensors.DType{safetensors.F32, safetensors.F16, safetensors.BF16} {
			dir := t.TempDir()
			if err := m.Save(dir, dtype); err != nil {
				t.Fatal(err)
			}
			back, err := Load(tensor.NewCPU(), dir)
			if err != nil {
				t.Fatal(err)
			}
			want := m.Config
			want.Weights = map[safetensors.DType]tensor.DType{safetensors.F32: tensor.F32, safetensors.F16: tensor.F16, safetensors.BF16: tensor.BF16}[dtype]
			if back.Config != want {
				t.Errorf("%s %s: config %+v, saved %+v", c.ModelType, dtype, back.Config, want)
			}
			if dtype == safetensors.F32 {
				w, g := d.F(m.Params.All), back.Dev.(*tensor.CPU).F(back.Params.All)
				for i := range w {
					if g[i] != w[i] {
						t.Fatalf("%s: parameter %d = %g after the round trip, saved %g", c.ModelType, i, g[i], w[i])
					}
				}
			}
			for i, x := range losses(t, back) {
				if math.Abs(x-before[i]) > 1e-2*math.Max(1, math.Abs(before[i])) {
					t.Errorf("%s %s: loss %d = %g after the round trip, %g before", c.ModelType, dtype, i, x, before[i])
				}
			}
		}
	}
}

// forwardFixed runs m on a fixed batch of one sequence of 6 tokens, no prefix.
func forwardFixed(t *testing.T, m *Model) *Acts {
	b := Batch{B: 1, T: 6, Tokens: []int32{1, 5, 2, 9, 3, 7}, Targets: []int32{5, 2, 9, 3, 7, 0}, Valid: []float32{1, 1, 1, 1, 1, 1}}
	a := NewActs(m.Dev, m.Config, Shape{B: 1, T: 6})
	if _, _, err := m.Forward(a, Prefix{}, b); err != nil {
		t.Fatal(err)
	}
	return a
}

// losses are the per-position losses [6] of the fixed batch.
func losses(t *testing.T, m *Model) []float64 {
	l := make([]float32, 6)
	m.Dev.Download(l, forwardFixed(t, m).Losses.Slice(0, 6))
	out := make([]float64, 6)
	for i, x := range l {
		out[i] = float64(x)
	}
	return out
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

// loadError is a change to a saved checkpoint's tensors and the error Load must give.
type loadError struct {
	name   string
	change func([]safetensors.Tensor) []safetensors.Tensor
	want   string
}

// checkLoadErrors saves a model of config cfg, applies each change to the
// saved tensors and checks that Load fails with the case's error.
func checkLoadErrors(t *testing.T, cfg Config, cases []loadError) {
	t.Helper()
	m, _ := New(tensor.NewCPU(), cfg)
	for _, c := range cases {
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

func TestLoadErrors(t *testing.T) {
	checkLoadErrors(t, tiny, []loadError{
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
	})
}

func TestConfigErrors(t *testing.T) {
	const llama = `{"model_type":"llama","hidden_size":8,"intermediate_size":12,"num_hidden_layers":2,"num_attention_heads":2,"vocab_size":11`
	for _, c := range []struct{ json, want string }{
		{`{"model_type":"bert"}`, "not supported"},
		{llama + `,"attention_bias":true}`, "attention_bias"},
		{llama + `,"mlp_bias":true}`, "mlp_bias"},
		{llama + `,"num_key_value_heads":3}`, "num_key_value_heads 3 must"},
		{llama + `,"head_dim":3}`, "must be even"},
		{llama + `,"hidden_act":"gelu"}`, "hidden_act"},
		{llama + `,"rope_scaling":{"rope_type":"dynamic","factor":2}}`, "\"dynamic\" is not supported"},
		{llama + `,"rope_scaling":{"rope_type":"llama3","factor":8}}`, "llama3 rope_scaling needs"},
		{llama + `,"eos_token_id":"x"}`, "eos_token_id"},
		{llama + `,"num_hidden_layers":0}`, "num_hidden_layers 0"},
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

// TestLlamaConfig reads the config.json of SmolLM2-135M and of TinyLlama
// and a Llama 3.2 style one (rope_scaling llama3, a list of EOS ids).
func TestLlamaConfig(t *testing.T) {
	smol := `{"architectures":["LlamaForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":0,"eos_token_id":0,"hidden_act":"silu","hidden_size":576,"initializer_range":0.041666666666666664,"intermediate_size":1536,"is_llama_config":true,"max_position_embeddings":8192,"model_type":"llama","num_attention_heads":9,"num_hidden_layers":30,"num_key_value_heads":3,"pretraining_tp":1,"rms_norm_eps":1e-05,"rope_interleaved":false,"rope_scaling":null,"rope_theta":100000,"tie_word_embeddings":true,"torch_dtype":"bfloat16","transformers_version":"4.40.1","use_cache":true,"vocab_size":49152}`
	tinyLlama := `{"architectures":["LlamaForCausalLM"],"bos_token_id":1,"eos_token_id":2,"hidden_act":"silu","hidden_size":2048,"initializer_range":0.02,"intermediate_size":5632,"max_position_embeddings":2048,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":22,"num_key_value_heads":4,"pretraining_tp":1,"rms_norm_eps":1e-05,"rope_scaling":null,"rope_theta":10000.0,"tie_word_embeddings":false,"torch_dtype":"bfloat16","use_cache":true,"vocab_size":32000}`
	llama32 := `{"model_type":"llama","hidden_size":2048,"intermediate_size":8192,"num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":64,"max_position_embeddings":131072,"rms_norm_eps":1e-05,"rope_theta":500000.0,"rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"},"tie_word_embeddings":true,"vocab_size":128256,"bos_token_id":128000,"eos_token_id":[128001,128008,128009]}`
	for _, x := range []struct {
		json                 string
		C, L, NH, KVH, HS, I int
		untied               bool
		rope                 string
		eos, params          int
	}{
		{smol, 576, 30, 9, 3, 64, 1536, false, "", 0, 134515008},
		{tinyLlama, 2048, 22, 32, 4, 64, 5632, true, "", 2, 1100048384},
		{llama32, 2048, 16, 32, 8, 64, 8192, false, "llama3", 128001, 1235814400},
	} {
		c, err := ParseConfig([]byte(x.json))
		if err != nil {
			t.Fatal(err)
		}
		if c.NEmbd != x.C || c.NLayer != x.L || c.NHead != x.NH || c.KVHeads() != x.KVH || c.HeadSize() != x.HS ||
			c.Intermediate != x.I || c.Untied != x.untied || c.RopeScaling.Type != x.rope || c.EOSTokenID != x.eos {
			t.Errorf("parsed %+v", c)
		}
		if n := NumParams(c); n != x.params {
			t.Errorf("%d parameters, Hugging Face counts %d", n, x.params)
		}
		if c.PrefixWidth() != x.L*2*x.KVH*x.HS {
			t.Errorf("prefix width %d, want L*2*KVH*HS", c.PrefixWidth())
		}
	}
}

func TestLlamaLoadErrors(t *testing.T) {
	checkLoadErrors(t, llamaTiny, []loadError{
		{"untied without lm_head", func(ts []safetensors.Tensor) []safetensors.Tensor {
			var out []safetensors.Tensor
			for _, x := range ts {
				if x.Name != "lm_head.weight" {
					out = append(out, x)
				}
			}
			return out
		}, "tensor lm_head.weight is missing"},
		{"GPT-2 names", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				ts[i].Name = strings.Replace(ts[i].Name, "model.embed_tokens", "transformer.wte", 1)
			}
			return ts
		}, "not a Llama"},
		{"wrong k_proj shape", func(ts []safetensors.Tensor) []safetensors.Tensor {
			for i := range ts {
				if ts[i].Name == "model.layers.1.self_attn.k_proj.weight" {
					ts[i].Shape = []int{8, 4}
				}
			}
			return ts
		}, "has shape [8 4], config.json implies [4 8]"},
	})
}

// TestInitRandom16 draws a BF16 model: the same draws as float32, rounded,
// so the two compute nearly the same logits.
func TestInitRandom16(t *testing.T) {
	c := llamaTiny
	f32, _ := New(tensor.NewCPU(), c)
	c.Weights = tensor.BF16
	bf16, err := New(tensor.NewCPU(), c)
	if err != nil {
		t.Fatal(err)
	}
	f32.InitRandom(3)
	bf16.InitRandom(3)
	want, got := logits(t, f32), logits(t, bf16)
	var maxWant, maxErr float64
	for i := range want {
		maxWant = math.Max(maxWant, math.Abs(float64(want[i])))
		maxErr = math.Max(maxErr, math.Abs(float64(got[i]-want[i])))
	}
	if !(maxWant > 0) || maxErr > 2e-2*maxWant {
		t.Errorf("logits differ by %g with BF16 weights (largest %g)", maxErr, maxWant)
	}
}

// logits are the logits [6,V] of the fixed batch.
func logits(t *testing.T, m *Model) []float32 {
	out := make([]float32, 6*m.Config.VocabSize)
	m.Dev.Download(out, forwardFixed(t, m).Logits.Slice(0, len(out)))
	return out
}
