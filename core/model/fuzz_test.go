package model

import (
	"strings"
	"testing"
)

// FuzzParseConfig: any config.json is accepted as a valid GPT-2 or
// rejected with an error; never a panic, and an accepted one fits the limits.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"model_type":"gpt2","n_layer":2,"n_head":4,"n_embd":64,"n_positions":64,"vocab_size":297,"layer_norm_epsilon":1e-5,"activation_function":"gelu_new"}`))
	f.Add([]byte(`{"model_type":"gpt2","n_layer":12,"n_head":12,"n_embd":768,"n_positions":1024,"vocab_size":50257,"tie_word_embeddings":false}`))
	f.Add([]byte(`{"model_type":"llama"}`))
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
		if c.NLayer > maxLayers || c.NEmbd > maxEmbd || c.VocabSize > maxVocab || c.NPositions > maxPositions || c.NEmbd%c.NHead != 0 {
			t.Fatalf("accepted a config outside the limits: %+v", c)
		}
	})
}
