package adapter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Config is adapter_config.json. Empty BaseModelNameOrPath and Revision are
// written as null.
type Config struct {
	BaseModelNameOrPath      string `json:"base_model_name_or_path"`
	EncoderHiddenSize        int    `json:"encoder_hidden_size"`
	InferenceMode            bool   `json:"inference_mode"`
	NumAttentionHeads        int    `json:"num_attention_heads"`
	NumLayers                int    `json:"num_layers"`
	NumTransformerSubmodules int    `json:"num_transformer_submodules"`
	NumVirtualTokens         int    `json:"num_virtual_tokens"`
	PeftType                 string `json:"peft_type"`
	PrefixProjection         bool   `json:"prefix_projection"`
	Revision                 string `json:"revision"`
	TaskType                 string `json:"task_type"`
	TokenDim                 int    `json:"token_dim"`
}

// NewConfig is the config of a prefix of virtualTokens tokens for a causal
// language model with layers layers of heads heads and tokenDim features
// (n_embd, or head_dim*num_key_value_heads for grouped-query attention),
// as PEFT saves it after training.
func NewConfig(baseModel string, virtualTokens, layers, heads, tokenDim int) Config {
	return Config{
		BaseModelNameOrPath:      baseModel,
		EncoderHiddenSize:        tokenDim,
		InferenceMode:            true,
		NumAttentionHeads:        heads,
		NumLayers:                layers,
		NumTransformerSubmodules: 1,
		NumVirtualTokens:         virtualTokens,
		PeftType:                 "PREFIX_TUNING",
		TaskType:                 "CAUSAL_LM",
		TokenDim:                 tokenDim,
	}
}

// Shape is the shape of prompt_embeddings:
// [NumVirtualTokens, NumLayers*2*TokenDim].
func (c Config) Shape() [2]int {
	return [2]int{c.NumVirtualTokens, c.NumLayers * 2 * c.TokenDim}
}

// describeShape spells Shape out for error messages.
func (c Config) describeShape() string {
	s := c.Shape()
	return fmt.Sprintf("%d virtual tokens x %d layers x 2 (key, value) x %d token_dim = [%d %d]",
		c.NumVirtualTokens, c.NumLayers, c.TokenDim, s[0], s[1])
}

// Validate checks that c describes a prefix-tuning adapter this package
// can read and write.
func (c Config) Validate() error {
	switch {
	case c.PeftType != "PREFIX_TUNING":
		return fmt.Errorf(`peft_type is %q; only "PREFIX_TUNING" adapters are supported`, c.PeftType)
	case c.TaskType != "CAUSAL_LM":
		return fmt.Errorf(`task_type is %q; only "CAUSAL_LM" is supported`, c.TaskType)
	case c.NumTransformerSubmodules != 1:
		return fmt.Errorf("num_transformer_submodules is %d; a causal language model has 1", c.NumTransformerSubmodules)
	case c.NumVirtualTokens <= 0 || c.NumLayers <= 0 || c.TokenDim <= 0 || c.NumAttentionHeads <= 0:
		return fmt.Errorf("num_virtual_tokens %d, num_layers %d, token_dim %d and num_attention_heads %d must all be positive",
			c.NumVirtualTokens, c.NumLayers, c.TokenDim, c.NumAttentionHeads)
	case c.TokenDim%c.NumAttentionHeads != 0:
		return fmt.Errorf("token_dim %d is not a multiple of num_attention_heads %d", c.TokenDim, c.NumAttentionHeads)
	case c.NumLayers > math.MaxInt32/2/c.TokenDim || c.NumVirtualTokens > math.MaxInt32/(2*c.NumLayers*c.TokenDim):
		return fmt.Errorf("%d virtual tokens x %d layers x 2 x %d token_dim is too large", c.NumVirtualTokens, c.NumLayers, c.TokenDim)
	case !utf8.ValidString(c.BaseModelNameOrPath) || !utf8.ValidString(c.Revision):
		return fmt.Errorf("base_model_name_or_path %q or revision %q is not valid UTF-8", c.BaseModelNameOrPath, c.Revision)
	}
	return nil
}

// decodeConfig parses adapter_config.json.
func decodeConfig(b []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("not a valid config: %v", err)
	}
	if c.PeftType == "" {
		return Config{}, fmt.Errorf("peft_type is missing: not a PEFT adapter config")
	}
	return c, c.Validate()
}

// encodeConfig writes c as PEFT does: json.dumps(to_dict(), indent=2,
// sort_keys=True).
func encodeConfig(c Config) []byte {
	str := func(s string) string {
		if s == "" {
			return "null"
		}
		return pyString(s)
	}
	num := strconv.Itoa
	fields := []struct{ key, value string }{
		{"auto_mapping", "null"},
		{"base_model_name_or_path", str(c.BaseModelNameOrPath)},
		{"encoder_hidden_size", num(c.EncoderHiddenSize)},
		{"inference_mode", strconv.FormatBool(c.InferenceMode)},
		{"num_attention_heads", num(c.NumAttentionHeads)},
		{"num_layers", num(c.NumLayers)},
		{"num_transformer_submodules", num(c.NumTransformerSubmodules)},
		{"num_virtual_tokens", num(c.NumVirtualTokens)},
		{"peft_type", pyString(c.PeftType)},
		{"prefix_projection", strconv.FormatBool(c.PrefixProjection)},
		{"revision", str(c.Revision)},
		{"task_type", pyString(c.TaskType)},
		{"token_dim", num(c.TokenDim)},
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, f := range fields {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  \"" + f.key + "\": " + f.value)
	}
	b.WriteString("\n}")
	return b.Bytes()
}

// pyString quotes s as Python's json.dumps does with ensure_ascii: short
// escapes for '"', '\\' and \b \f \n \r \t, \u00xx for other control
// characters and DEL, and \uxxxx (surrogate pairs beyond the BMP) for
// non-ASCII.
func pyString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\b':
			b = append(b, `\b`...)
		case r == '\f':
			b = append(b, `\f`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r < 0x20 || r > 0x7e && r <= 0xffff:
			b = fmt.Appendf(b, `\u%04x`, r)
		case r > 0xffff:
			r -= 0x10000
			b = fmt.Appendf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b = append(b, byte(r))
		}
	}
	return string(append(b, '"'))
}
