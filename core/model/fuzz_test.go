package model

import (
	"strings"
	"testing"
)

// FuzzParseConfig: any config.json is accepted as a valid GPT-2 or Llama or
// rejected with an error; never a panic, and an accepted one fits the limits.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"model_type":"gpt2","n_layer":2,"n_head":4,"n_embd":64,"n_positions":64,"vocab_size":297,"layer_norm_epsilon":1e-5,"activation_function":"gelu_new"}`))
	f.Add([]byte(`{"model_type":"gpt2","n_layer":12,"n_head":12,"n_embd":768,"n_positions":1024,"vocab_size":50257,"tie_word_embeddings":false}`))
	f.Add([]byte(`{"model_type":"llama"}`))
	f.Add([]byte(`{"model_type":"llama","hidden_size":24,"intermediate_size":40,"num_hidden_layers":2,"num_attention_heads":3,"num_key_value_heads":1,"head_dim":10,"vocab_size":297,"rope_scaling":{"rope_type":"linear","factor":2},"eos_token_id":[5,6]}`))
	f.Add([]byte(`{"model_type":"gpt2","n_layer":-1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("an empty error message")
			}
			return
		}
		heads := c.NEmbd%c.NHead == 0 || c.Llama() && c.NHead%c.KVHeads() == 0 && c.HeadSize()%2 == 0
		if c.NLayer > maxLayers || c.NEmbd > maxEmbd || c.VocabSize > maxVocab || c.NPositions > maxPositions || !heads {
			t.Fatalf("accepted a config outside the limits: %+v", c)
		}
	})
}
