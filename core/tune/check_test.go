package tune

import (
	"strings"
	"testing"
)

func TestCheckConfig(t *testing.T) {
	// GPT-2 small has 124,439,808 parameters with tied embeddings.
	small := CheckConfig([]byte(`{"model_type":"gpt2","n_layer":12,"n_head":12,"n_embd":768,"n_positions":1024,"vocab_size":50257,"n_inner":null}`))
	if small.Params != 124439808 || small.WeightBytes != 4*124439808 || small.Problem != "" || small.Warning != "" {
		t.Errorf("GPT-2 small: %+v", small)
	}
	// tests/reference/gpt2/model, as the engine counts it.
	if tiny := CheckConfig([]byte(`{"model_type":"gpt2","n_layer":2,"n_head":4,"n_embd":64,"n_positions":64,"vocab_size":297}`)); tiny.Params != 123200 {
		t.Errorf("the reference model has %d parameters, want 123200", tiny.Params)
	}
	if xl := CheckConfig([]byte(`{"model_type":"gpt2","n_layer":48,"n_head":25,"n_embd":1600,"n_positions":1024,"vocab_size":50257}`)); !strings.Contains(xl.Problem, "do not fit") {
		t.Errorf("GPT-2 XL: %+v, want it refused as too large", xl)
	}
	if medium := CheckConfig([]byte(`{"model_type":"gpt2","n_layer":24,"n_head":16,"n_embd":1024,"n_positions":1024,"vocab_size":50257}`)); medium.Problem != "" || medium.Warning == "" {
		t.Errorf("GPT-2 medium: %+v, want a warning", medium)
	}
	// SmolLM2-135M's config.json: 134,515,008 parameters (Hugging Face's
	// count, tied), BF16 kept 16-bit: 2 bytes a matrix element, 4 a norm
	// weight, and the RoPE tables (2 x 8192 positions x 32 floats).
	smol := CheckConfig([]byte(`{"architectures":["LlamaForCausalLM"],"bos_token_id":0,"eos_token_id":0,"head_dim":64,"hidden_act":"silu",
		"hidden_size":576,"intermediate_size":1536,"max_position_embeddings":8192,"model_type":"llama","num_attention_heads":9,
		"num_hidden_layers":30,"num_key_value_heads":3,"rms_norm_eps":1e-05,"rope_theta":100000,"tie_word_embeddings":true,
		"torch_dtype":"bfloat16","vocab_size":49152}`))
	norms := int64(61 * 576)
	if m := smol.Config; smol.Problem != "" || smol.Params != 134515008 || m.KVHeads() != 3 || m.Weights.String() != "BF16" ||
		smol.WeightBytes != 2*(134515008-norms)+4*norms+4*2*8192*32 {
		t.Errorf("SmolLM2-135M: %+v", smol)
	}
	if f32 := CheckConfig([]byte(`{"model_type":"llama","hidden_size":64,"intermediate_size":128,"num_attention_heads":4,
		"num_hidden_layers":2,"vocab_size":100,"torch_dtype":"float32"}`)); f32.Problem != "" || f32.Config.Weights.String() != "F32" {
		t.Errorf("an F32 Llama: %+v", f32)
	}
	for cfg, want := range map[string]string{
		`{"model_type":"bert","hidden_size":4096}`:                                                 `"bert" is not supported`,
		`{"model_type":"llama","hidden_size":64,"attention_bias":true}`:                            "biases",
		`{"model_type":"gpt2","n_layer":2}`:                                                        "out of range",
		`{"model_type":"gpt2","n_layer":2,"n_head":3,"n_embd":64,"n_positions":64,"vocab_size":9}`: "divide",
		`not json`: "not valid JSON",
	} {
		if got := CheckConfig([]byte(cfg)); !strings.Contains(got.Problem, want) {
			t.Errorf("%s: problem %q, want one about %q", cfg, got.Problem, want)
		}
	}
}
