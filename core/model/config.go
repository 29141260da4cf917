package model

import (
	"encoding/json"
	"fmt"
	"os"
)

// Config is the subset of a Hugging Face GPT-2 config.json the model uses.
type Config struct {
	ModelType  string  `json:"model_type"`
	NLayer     int     `json:"n_layer"`
	NHead      int     `json:"n_head"`
	NEmbd      int     `json:"n_embd"`
	NPositions int     `json:"n_positions"`
	VocabSize  int     `json:"vocab_size"`
	LayerNorm  float64 `json:"layer_norm_epsilon"`
	Activation string  `json:"activation_function"`
	EOSTokenID int     `json:"eos_token_id"`
}

// Limits that keep a hostile config from asking for absurd allocations.
const (
	maxLayers    = 256
	maxEmbd      = 1 << 16
	maxPositions = 1 << 20
	maxVocab     = 1 << 22
)

// LoadConfig reads and validates a config.json.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading the model config: %w", err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes and validates a GPT-2 config.json.
func ParseConfig(b []byte) (Config, error) {
	var hf struct {
		Config
		Tie *bool `json:"tie_word_embeddings"`
	}
	hf.Config = Config{LayerNorm: 1e-5, Activation: "gelu_new", EOSTokenID: -1}
	if err := json.Unmarshal(b, &hf); err != nil {
		return Config{}, fmt.Errorf("config.json is not valid JSON: %v", err)
	}
	if hf.Tie != nil && !*hf.Tie {
		return Config{}, fmt.Errorf("untied GPT-2 output embeddings are not supported (tie_word_embeddings is false)")
	}
	return hf.Config, hf.Config.Validate()
}

// Validate checks that c describes a GPT-2 this package can run.
func (c Config) Validate() error {
	switch {
	case c.ModelType != "gpt2":
		return fmt.Errorf("model_type %q is not supported: Prefixtune runs GPT-2 models (model_type \"gpt2\")", c.ModelType)
	case c.NLayer < 1 || c.NLayer > maxLayers:
		return fmt.Errorf("n_layer %d is out of range 1..%d", c.NLayer, maxLayers)
	case c.NEmbd < 1 || c.NEmbd > maxEmbd:
		return fmt.Errorf("n_embd %d is out of range 1..%d", c.NEmbd, maxEmbd)
	case c.NHead < 1 || c.NEmbd%c.NHead != 0:
		return fmt.Errorf("n_head %d must be positive and divide n_embd %d", c.NHead, c.NEmbd)
	case c.NPositions < 1 || c.NPositions > maxPositions:
		return fmt.Errorf("n_positions %d is out of range 1..%d", c.NPositions, maxPositions)
	case c.VocabSize < 1 || c.VocabSize > maxVocab:
		return fmt.Errorf("vocab_size %d is out of range 1..%d", c.VocabSize, maxVocab)
	case c.Activation != "gelu_new" && c.Activation != "gelu_pytorch_tanh":
		return fmt.Errorf("activation_function %q is not supported: only the tanh GELU (\"gelu_new\") is", c.Activation)
	case !(c.LayerNorm > 0 && c.LayerNorm < 1):
		return fmt.Errorf("layer_norm_epsilon %g must be in (0, 1)", c.LayerNorm)
	}
	return nil
}

// HeadSize is the size of one attention head.
func (c Config) HeadSize() int { return c.NEmbd / c.NHead }

// PrefixWidth is the length of one prefix row: L*2*C.
func (c Config) PrefixWidth() int { return c.NLayer * 2 * c.NEmbd }

// JSON returns c as a Hugging Face config.json.
func (c Config) JSON() ([]byte, error) {
	type hf struct {
		Config
		Architectures []string `json:"architectures"`
		NCtx          int      `json:"n_ctx"`
		BOSTokenID    int      `json:"bos_token_id"`
		Tie           bool     `json:"tie_word_embeddings"`
	}
	return json.MarshalIndent(hf{c, []string{"GPT2LMHeadModel"}, c.NPositions, c.EOSTokenID, true}, "", "  ")
}
