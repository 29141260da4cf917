package tune

import (
	"encoding/json"
	"fmt"

	"prefixtune/core/model"
	"prefixtune/core/tensor"
)

// Size limits of a model in a browser tab: its weights (float32, or 16-bit
// matrices kept so) share one WebAssembly memory (at most 4 GiB) with the
// activations of training.
const (
	MaxTabWeightBytes  = 2 << 30
	WarnTabWeightBytes = 1 << 30
)

// Check is what a model's config.json says before its weights are read.
type Check struct {
	Config      model.Config // Weights: the type config.json's torch_dtype announces
	Params      int
	WeightBytes int64  // the weights' share of the engine's memory
	Problem     string // why a browser tab cannot tune the model, and what to pick instead; empty if it can
	Warning     string
}

// CheckConfig reads a Hugging Face config.json (GPT-2 or Llama) and says
// whether a browser tab can tune the model. The weights' type is
// torch_dtype's until the weights file says (model.FromSafetensors keeps a
// 16-bit checkpoint's matrices 16-bit when the hidden size is even).
func CheckConfig(configJSON []byte) Check {
	c, err := model.ParseConfig(configJSON)
	if err != nil {
		return Check{Config: c, Problem: fmt.Sprintf("config.json: %v. Pick the config.json of a Hugging Face GPT-2 or Llama model.", err)}
	}
	var dt struct {
		Torch string `json:"torch_dtype"`
		DType string `json:"dtype"` // transformers 5's name
	}
	json.Unmarshal(configJSON, &dt) // valid JSON: ParseConfig read it
	if c.NEmbd%2 == 0 {
		switch dt.Torch + dt.DType {
		case "bfloat16":
			c.Weights = tensor.BF16
		case "float16":
			c.Weights = tensor.F16
		}
	}
	k := Check{Config: c, Params: model.NumParams(c), WeightBytes: model.WeightBytes(c)}
	switch w := k.WeightBytes; {
	case w > MaxTabWeightBytes:
		k.Problem = fmt.Sprintf("Its %.1f GB of weights do not fit in a browser tab with room to train (at most %.1f GB). Pick a smaller model, such as GPT-2 small or SmolLM2-135M.",
			float64(w)/1e9, float64(MaxTabWeightBytes)/1e9)
	case w > WarnTabWeightBytes:
		k.Warning = fmt.Sprintf("Its weights take %.1f GB in memory: training will be slow and may not fit beside other tabs.", float64(w)/1e9)
	}
	return k
}
