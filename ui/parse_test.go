package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestPreview(t *testing.T) {
	for _, c := range []struct {
		name, text string
		cut        bool
		want       Preview
		err        string
	}{
		{"a.jsonl", `{"prompt":"p1","completion":"c1"}` + "\n" + `{"completion":"c2","n":3,"prompt":"p2"}` + "\n",
			false, Preview{Format: "jsonl", Columns: []string{"prompt", "completion", "n"}, Rows: [][]string{{"p1", "c1", ""}, {"p2", "c2", "3"}}}, ""},
		{"cut.jsonl", `{"text":"a"}` + "\n" + `{"text":"b`, true,
			Preview{Format: "jsonl", Columns: []string{"text"}, Rows: [][]string{{"a"}}}, ""},
		{"d.csv", "\ufeffq,a\n\"one, two\",\"x\ny\"\n3\n", false,
			Preview{Format: "csv", Columns: []string{"q", "a"}, Rows: [][]string{{"one, two", "x\ny"}, {"3", ""}}}, ""},
		{"t.txt", "First para\ngoes on.\r\n\r\nSecond.\n\n\n", false,
			Preview{Format: "text", Columns: []string{"text"}, Rows: [][]string{{"First para\ngoes on."}, {"Second."}}}, ""},
		{"bad.jsonl", "{\"a\":1}\nnot json\n", false, Preview{}, "Line 2 is not a JSON object"},
		{"x.parquet", "PAR1", false, Preview{}, "unknown file type"},
		{"empty.csv", "", false, Preview{}, "header row"},
		{"empty.txt", "\n\n", false, Preview{}, "no rows"},
	} {
		got := parsePreview(c.name, c.text, c.cut)
		if c.err != "" {
			if !strings.Contains(got.Err, c.err) {
				t.Errorf("%s: error %q, want one about %q", c.name, got.Err, c.err)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestSetMapping(t *testing.T) {
	for _, c := range []struct {
		p                  Preview
		mode, prompt, comp string
		text               string
	}{
		{Preview{Format: "jsonl", Columns: []string{"text", "prompt", "completion"}}, ModePair, "prompt", "completion", ""},
		{Preview{Format: "jsonl", Columns: []string{"id", "text"}}, ModeText, "", "", "text"},
		{Preview{Format: "csv", Columns: []string{"question", "answer"}}, ModePair, "question", "answer", ""},
		{Preview{Format: "csv", Columns: []string{"body"}}, ModeText, "", "", "body"},
		{Preview{Format: "text", Columns: []string{"text"}}, ModeText, "", "", ""},
	} {
		d := DataState{Preview: &c.p}
		d.setMapping()
		if d.Mode != c.mode || d.PromptCol != c.prompt || d.CompletionCol != c.comp || d.TextCol != c.text {
			t.Errorf("%v: mapping %s %q %q %q", c.p.Columns, d.Mode, d.PromptCol, d.CompletionCol, d.TextCol)
		}
	}
}

func TestCheckConfig(t *testing.T) {
	// GPT-2 small has 124,439,808 parameters with tied embeddings.
	small := checkConfig(`{"model_type":"gpt2","n_layer":12,"n_head":12,"n_embd":768,"n_positions":1024,"vocab_size":50257,"n_inner":null}`)
	if small.Params != 124439808 || small.Memory != 4*124439808 || small.Problem != "" || small.Warning != "" {
		t.Errorf("GPT-2 small: %+v", small)
	}
	// tests/reference/gpt2/model, as the engine counts it.
	if tiny := checkConfig(`{"model_type":"gpt2","n_layer":2,"n_head":4,"n_embd":64,"n_positions":64,"vocab_size":297}`); tiny.Params != 123200 {
		t.Errorf("the reference model has %d parameters, want 123200", tiny.Params)
	}
	if xl := checkConfig(`{"model_type":"gpt2","n_layer":48,"n_head":25,"n_embd":1600,"n_positions":1024,"vocab_size":50257}`); !strings.Contains(xl.Problem, "do not fit") {
		t.Errorf("GPT-2 XL: %+v, want it refused as too large", xl)
	}
	if medium := checkConfig(`{"model_type":"gpt2","n_layer":24,"n_head":16,"n_embd":1024,"n_positions":1024,"vocab_size":50257}`); medium.Problem != "" || medium.Warning == "" {
		t.Errorf("GPT-2 medium: %+v, want a warning", medium)
	}
	// SmolLM2-135M's config.json: 134,515,008 parameters (Hugging Face's
	// count, tied), BF16 kept 16-bit: 2 bytes a matrix element, 4 a norm
	// weight, and the RoPE tables (2 x 8192 positions x 32 floats).
	smol := checkConfig(`{"architectures":["LlamaForCausalLM"],"bos_token_id":0,"eos_token_id":0,"head_dim":64,"hidden_act":"silu",
		"hidden_size":576,"intermediate_size":1536,"max_position_embeddings":8192,"model_type":"llama","num_attention_heads":9,
		"num_hidden_layers":30,"num_key_value_heads":3,"rms_norm_eps":1e-05,"rope_theta":100000,"tie_word_embeddings":true,
		"torch_dtype":"bfloat16","vocab_size":49152}`)
	norms := int64(61 * 576)
	if m := smol.Config; smol.Problem != "" || smol.Params != 134515008 || m.KVHeads() != 3 || m.Weights.String() != "BF16" ||
		smol.Memory != 2*(134515008-norms)+4*norms+4*2*8192*32 {
		t.Errorf("SmolLM2-135M: %+v", smol)
	}
	if f32 := checkConfig(`{"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_attention_heads":4,
		"num_hidden_layers":2,"vocab_size":100,"torch_dtype":"float32"}`); f32.Problem != "" || f32.Config.Weights.String() != "F32" {
		t.Errorf("an F32 Llama: %+v", f32)
	}
	for cfg, want := range map[string]string{
		`{"model_type":"bert","hidden_size":4096}`:                                                 `"bert" is not supported`,
		`{"model_type":"llama","hidden_size":64,"attention_bias":true}`:                            "biases",
		`{"model_type":"gpt2","n_layer":2}`:                                                        "out of range",
		`{"model_type":"gpt2","n_layer":2,"n_head":3,"n_embd":64,"n_positions":64,"vocab_size":9}`: "divide",
		`not json`: "not valid JSON",
	} {
		if got := checkConfig(cfg); !strings.Contains(got.Problem, want) {
			t.Errorf("%s: problem %q, want one about %q", cfg, got.Problem, want)
		}
	}
}

func TestMissingModelFiles(t *testing.T) {
	if m := missingModelFiles([]File{{Name: "config.json"}, {Name: "model.safetensors"}, {Name: "tokenizer.json"}, {Name: "README.md"}}); m != "" {
		t.Errorf("a complete model: %q", m)
	}
	if m := missingModelFiles([]File{{Name: "config.json"}}); !strings.Contains(m, "model.safetensors and tokenizer.json") {
		t.Errorf("config.json alone: %q", m)
	}
}

func TestValidRepo(t *testing.T) {
	for repo, want := range map[string]bool{"openai-community/gpt2": true, " o/r ": true, "gpt2": false, "o/": false, "/r": false, "o/r/x": false, "o w/r": false} {
		if validRepo(repo) != want {
			t.Errorf("validRepo(%q) = %v", repo, !want)
		}
	}
}
