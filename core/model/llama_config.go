package model

import (
	"encoding/json"
	"fmt"
)

// RopeScaling is a Llama config's rope_scaling: Type "" (none, or
// "default"), "linear" (positions divided by Factor) or "llama3" (Llama 3.1's
// wavelength-dependent scaling).
type RopeScaling struct {
	Type                 string
	Factor               float64
	LowFreqFactor        float64
	HighFreqFactor       float64
	OriginalMaxPositions int
}

// llamaFile is the part of a Hugging Face LlamaConfig's config.json the
// model reads, with LlamaConfig's defaults applied by parseLlama.
type llamaFile struct {
	HiddenSize    int             `json:"hidden_size"`
	Intermediate  int             `json:"intermediate_size"`
	Layers        int             `json:"num_hidden_layers"`
	Heads         int             `json:"num_attention_heads"`
	KVHeads       *int            `json:"num_key_value_heads"`
	HeadDim       *int            `json:"head_dim"`
	HiddenAct     string          `json:"hidden_act"`
	MaxPositions  int             `json:"max_position_embeddings"`
	RMSNormEps    float64         `json:"rms_norm_eps"`
	RopeTheta     float64         `json:"rope_theta"`
	RopeScaling   *ropeFile       `json:"rope_scaling"`
	RopeParams    *ropeFile       `json:"rope_parameters"` // transformers 5's name, with rope_theta inside
	Tie           bool            `json:"tie_word_embeddings"`
	VocabSize     int             `json:"vocab_size"`
	BOS           *int            `json:"bos_token_id"`
	EOS           json.RawMessage `json:"eos_token_id"` // an id or a list of ids
	AttentionBias bool            `json:"attention_bias"`
	MLPBias       bool            `json:"mlp_bias"`
}

type ropeFile struct {
	RopeType       string   `json:"rope_type"`
	Type           string   `json:"type"` // the older name of rope_type
	Theta          *float64 `json:"rope_theta"`
	Factor         float64  `json:"factor"`
	LowFreqFactor  float64  `json:"low_freq_factor"`
	HighFreqFactor float64  `json:"high_freq_factor"`
	OriginalMax    int      `json:"original_max_position_embeddings"`
}

// parseLlama decodes a model_type "llama" config.json.
func parseLlama(b []byte) (Config, error) {
	f := llamaFile{HiddenAct: "silu", MaxPositions: 2048, RMSNormEps: 1e-6, RopeTheta: 10000}
	if err := json.Unmarshal(b, &f); err != nil {
		return Config{}, fmt.Errorf("config.json is not valid JSON: %v", err)
	}
	if f.AttentionBias || f.MLPBias {
		return Config{}, fmt.Errorf("attention_bias and mlp_bias must be false: Llama models with biases are not supported")
	}
	c := Config{ModelType: "llama", NLayer: f.Layers, NHead: f.Heads, NEmbd: f.HiddenSize, NPositions: f.MaxPositions,
		VocabSize: f.VocabSize, LayerNorm: f.RMSNormEps, Activation: f.HiddenAct, EOSTokenID: -1, BOSTokenID: -1,
		Intermediate: f.Intermediate, RopeTheta: f.RopeTheta, Untied: !f.Tie, NKVHead: f.Heads}
	if f.KVHeads != nil {
		c.NKVHead = *f.KVHeads
	}
	if f.HeadDim != nil {
		c.HeadDim = *f.HeadDim
	} else if f.Heads > 0 {
		c.HeadDim = f.HiddenSize / f.Heads
	}
	if f.BOS != nil {
		c.BOSTokenID = *f.BOS
	}
	if err := c.parseEOS(f.EOS); err != nil {
		return Config{}, err
	}
	rope := f.RopeScaling
	if f.RopeParams != nil {
		rope = f.RopeParams
		if rope.Theta != nil {
			c.RopeTheta = *rope.Theta
		}
	}
	if rope != nil {
		t := rope.RopeType
		if t == "" {
			t = rope.Type
		}
		if t == "default" {
			t = ""
		}
		c.RopeScaling = RopeScaling{Type: t, Factor: rope.Factor, LowFreqFactor: rope.LowFreqFactor,
			HighFreqFactor: rope.HighFreqFactor, OriginalMaxPositions: rope.OriginalMax}
	}
	return c, c.Validate()
}

// parseEOS reads eos_token_id: absent, null, an id or a list of ids (the
// first is kept: the tokenizer's end-of-text token ends completions).
func (c *Config) parseEOS(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one int
	if json.Unmarshal(raw, &one) == nil {
		c.EOSTokenID = one
		return nil
	}
	var list []int
	if err := json.Unmarshal(raw, &list); err != nil {
		return fmt.Errorf("eos_token_id must be a token id or a list of ids, not %s", raw)
	}
	if len(list) > 0 {
		c.EOSTokenID = list[0]
	}
	return nil
}

// validateLlama checks the Llama-only fields.
func (c Config) validateLlama() error {
	KVH, HS, s := c.NKVHead, c.HeadDim, c.RopeScaling
	switch {
	case c.NHead < 1 || c.NHead > maxEmbd:
		return fmt.Errorf("num_attention_heads %d is out of range 1..%d", c.NHead, maxEmbd)
	case KVH < 1 || c.NHead%KVH != 0:
		return fmt.Errorf("num_key_value_heads %d must be positive and divide num_attention_heads %d", KVH, c.NHead)
	case HS < 2 || HS%2 != 0 || c.NHead*HS > maxEmbd:
		return fmt.Errorf("head_dim %d must be even (rotary embeddings rotate pairs), and heads x head_dim at most %d", HS, maxEmbd)
	case c.Intermediate < 1 || c.Intermediate > 8*maxEmbd:
		return fmt.Errorf("intermediate_size %d is out of range 1..%d", c.Intermediate, 8*maxEmbd)
	case c.Activation != "silu":
		return fmt.Errorf("hidden_act %q is not supported: Llama models use \"silu\"", c.Activation)
	case !(c.RopeTheta > 0):
		return fmt.Errorf("rope_theta %g must be positive", c.RopeTheta)
	}
	switch s.Type {
	case "":
		return nil
	case "linear":
		if !(s.Factor > 0) {
			return fmt.Errorf("rope_scaling factor %g must be positive", s.Factor)
		}
		return nil
	case "llama3":
		if !(s.Factor > 0) || !(s.LowFreqFactor > 0) || !(s.HighFreqFactor > s.LowFreqFactor) || s.OriginalMaxPositions < 1 {
			return fmt.Errorf("llama3 rope_scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0")
		}
		return nil
	}
	return fmt.Errorf("rope_scaling type %q is not supported: use none, \"default\", \"linear\" or \"llama3\"", s.Type)
}

// llamaJSON returns c as a Hugging Face LlamaConfig config.json.
func (c Config) llamaJSON() ([]byte, error) {
	type rope struct {
		RopeType       string  `json:"rope_type"`
		Factor         float64 `json:"factor"`
		LowFreqFactor  float64 `json:"low_freq_factor,omitempty"`
		HighFreqFactor float64 `json:"high_freq_factor,omitempty"`
		OriginalMax    int     `json:"original_max_position_embeddings,omitempty"`
	}
	var scaling *rope
	if s := c.RopeScaling; s.Type != "" {
		scaling = &rope{s.Type, s.Factor, s.LowFreqFactor, s.HighFreqFactor, s.OriginalMaxPositions}
	}
	return json.MarshalIndent(map[string]any{
		"architectures": []string{"LlamaForCausalLM"}, "model_type": "llama", "hidden_size": c.NEmbd,
		"intermediate_size": c.Intermediate, "num_hidden_layers": c.NLayer, "num_attention_heads": c.NHead,
		"num_key_value_heads": c.NKVHead, "head_dim": c.HeadDim, "hidden_act": c.Activation,
		"max_position_embeddings": c.NPositions, "rms_norm_eps": c.LayerNorm, "rope_theta": c.RopeTheta,
		"rope_scaling": scaling, "tie_word_embeddings": !c.Untied, "vocab_size": c.VocabSize,
		"bos_token_id": c.BOSTokenID, "eos_token_id": c.EOSTokenID, "attention_bias": false, "mlp_bias": false,
		"torch_dtype": "float32",
	}, "", "  ")
}
