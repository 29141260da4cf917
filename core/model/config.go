package model

import (
	"encoding/json"
	"fmt"
	"os"

	"prefixtune/core/tensor"
)

// Config describes a model of one of the two families this package runs:
// GPT-2 (model_type "gpt2") and Llama (model_type "llama", Hugging Face's
// LlamaForCausalLM). Fields are named after GPT-2's config.json; a Llama
// config.json is read into the same fields (hidden_size into NEmbd, and so
// on) plus the Llama-only ones, which are zero for GPT-2.
type Config struct {
	ModelType  string  `json:"model_type"`
	NLayer     int     `json:"n_layer"`
	NHead      int     `json:"n_head"`
	NEmbd      int     `json:"n_embd"`
	NPositions int     `json:"n_positions"`
	VocabSize  int     `json:"vocab_size"`
	LayerNorm  float64 `json:"layer_norm_epsilon"` // the norms' epsilon (Llama: rms_norm_eps)
	Activation string  `json:"activation_function"`
	EOSTokenID int     `json:"eos_token_id"` // Llama: the first when config.json lists several

	// Llama only.
	NKVHead      int         `json:"-"` // num_key_value_heads (0: NHead)
	HeadDim      int         `json:"-"` // head_dim (0: NEmbd/NHead)
	Intermediate int         `json:"-"` // intermediate_size of the SwiGLU MLP
	RopeTheta    float64     `json:"-"`
	RopeScaling  RopeScaling `json:"-"`
	Untied       bool        `json:"-"` // lm_head is its own matrix (tie_word_embeddings false)
	BOSTokenID   int         `json:"-"`

	// Weights is the type of the weight matrices on the device: F32, or
	// F16/BF16 when loaded from a checkpoint that stores them so (then they
	// are frozen). Not part of config.json.
	Weights tensor.DType `json:"-"`
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

// ParseConfig decodes and validates a GPT-2 or Llama config.json.
func ParseConfig(b []byte) (Config, error) {
	var kind struct {
		ModelType string `json:"model_type"`
	}
	if err := json.Unmarshal(b, &kind); err != nil {
		return Config{}, fmt.Errorf("config.json is not valid JSON: %v", err)
	}
	if kind.ModelType == "llama" {
		return parseLlama(b)
	}
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

// Validate checks that c describes a model this package can run.
func (c Config) Validate() error {
	if c.ModelType != "gpt2" && c.ModelType != "llama" {
		return fmt.Errorf("model_type %q is not supported: Prefixtune runs GPT-2 (model_type \"gpt2\") and Llama (\"llama\") models", c.ModelType)
	}
	// key names a field as the family's config.json does.
	key := func(gpt2, llama string) string {
		if c.Llama() {
			return llama
		}
		return gpt2
	}
	switch {
	case c.NLayer < 1 || c.NLayer > maxLayers:
		return fmt.Errorf("%s %d is out of range 1..%d", key("n_layer", "num_hidden_layers"), c.NLayer, maxLayers)
	case c.NEmbd < 1 || c.NEmbd > maxEmbd:
		return fmt.Errorf("%s %d is out of range 1..%d", key("n_embd", "hidden_size"), c.NEmbd, maxEmbd)
	case c.NPositions < 1 || c.NPositions > maxPositions:
		return fmt.Errorf("%s %d is out of range 1..%d", key("n_positions", "max_position_embeddings"), c.NPositions, maxPositions)
	case c.VocabSize < 1 || c.VocabSize > maxVocab:
		return fmt.Errorf("vocab_size %d is out of range 1..%d", c.VocabSize, maxVocab)
	case !(c.LayerNorm > 0 && c.LayerNorm < 1):
		return fmt.Errorf("%s %g must be in (0, 1)", key("layer_norm_epsilon", "rms_norm_eps"), c.LayerNorm)
	}
	if c.Llama() {
		return c.validateLlama()
	}
	switch {
	case c.NHead < 1 || c.NEmbd%c.NHead != 0:
		return fmt.Errorf("n_head %d must be positive and divide n_embd %d", c.NHead, c.NEmbd)
	case c.Activation != "gelu_new" && c.Activation != "gelu_pytorch_tanh":
		return fmt.Errorf("activation_function %q is not supported: only the tanh GELU (\"gelu_new\") is", c.Activation)
	case c.NKVHead != 0 || c.HeadDim != 0 || c.Intermediate != 0 || c.RopeTheta != 0 || c.RopeScaling != (RopeScaling{}) || c.Untied:
		return fmt.Errorf("a GPT-2 config has no Llama fields")
	}
	return nil
}

// Llama reports whether c is a Llama model.
func (c Config) Llama() bool { return c.ModelType == "llama" }

// KVHeads is the number of key/value heads (NHead without grouped queries).
func (c Config) KVHeads() int {
	if c.NKVHead > 0 {
		return c.NKVHead
	}
	return c.NHead
}

// HeadSize is the size of one attention head.
func (c Config) HeadSize() int {
	if c.HeadDim > 0 {
		return c.HeadDim
	}
	return c.NEmbd / c.NHead
}

// QKVWidth is the width of a row of stacked queries, keys and values:
// (NH + 2*KVH) * HS (3C for GPT-2).
func (c Config) QKVWidth() int { return (c.NHead + 2*c.KVHeads()) * c.HeadSize() }

// Inner is the MLP's hidden width: 4C for GPT-2, intermediate_size for Llama.
func (c Config) Inner() int {
	if c.Llama() {
		return c.Intermediate
	}
	return 4 * c.NEmbd
}

// fcWidth is the output width of the MLP's first matmul: 4C for GPT-2; 2I
// for Llama (gate_proj and up_proj stacked).
func (c Config) fcWidth() int {
	if c.Llama() {
		return 2 * c.Intermediate
	}
	return 4 * c.NEmbd
}

// TokenDim is the width of one layer's keys (or values) in a prefix row:
// HS*KVH, PEFT's token_dim (n_embd for GPT-2).
func (c Config) TokenDim() int { return c.KVHeads() * c.HeadSize() }

// PrefixWidth is the length of one prefix row: L*2*TokenDim.
func (c Config) PrefixWidth() int { return c.NLayer * 2 * c.TokenDim() }

// JSON returns c as a Hugging Face config.json.
func (c Config) JSON() ([]byte, error) {
	if c.Llama() {
		return c.llamaJSON()
	}
	type hf struct {
		Config
		Architectures []string `json:"architectures"`
		NCtx          int      `json:"n_ctx"`
		BOSTokenID    int      `json:"bos_token_id"`
		Tie           bool     `json:"tie_word_embeddings"`
	}
	return json.MarshalIndent(hf{c, []string{"GPT2LMHeadModel"}, c.NPositions, c.EOSTokenID, true}, "", "  ")
}
