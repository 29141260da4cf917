package adapter

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"prefixtune/core/safetensors"
)

// File names inside an adapter directory, as PEFT names them.
const (
	ConfigFile  = "adapter_config.json"
	WeightsFile = "adapter_model.safetensors"
	// PickleFile is PEFT's older weights file, which is not supported.
	PickleFile = "adapter_model.bin"
)

// TensorName is the name of the single tensor of the weights file.
const TensorName = "prompt_embeddings"

// Encode returns the contents of adapter_config.json and
// adapter_model.safetensors for cfg and the prefix prompt, row-major
// [NumVirtualTokens, NumLayers*2*TokenDim].
func Encode(cfg Config, prompt []float32) (configJSON, weights []byte, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("adapter: %s", err)
	}
	if cfg.PrefixProjection {
		return nil, nil, errors.New("adapter: prefix_projection is true, but only the projection's output is saved: set PrefixProjection false")
	}
	shape := cfg.Shape()
	if len(prompt) != shape[0]*shape[1] {
		return nil, nil, fmt.Errorf("adapter: prompt has %d values, but %s needs %d", len(prompt), cfg.describeShape(), shape[0]*shape[1])
	}
	var st bytes.Buffer
	tensor := safetensors.Tensor{Name: TensorName, DType: safetensors.F32, Shape: shape[:], Data: prompt}
	if err := safetensors.Write(&st, []safetensors.Tensor{tensor}, map[string]string{"format": "pt"}); err != nil {
		return nil, nil, fmt.Errorf("adapter: %w", err)
	}
	return encodeConfig(cfg), st.Bytes(), nil
}

// Decode parses the contents of adapter_config.json and
// adapter_model.safetensors and checks them against each other. The prompt
// may be stored as F32, F16 or BF16; it is returned as float32.
func Decode(configJSON, weights []byte) (Config, []float32, error) {
	cfg, err := decodeConfig(configJSON)
	if err != nil {
		return Config{}, nil, fmt.Errorf("adapter: %s: %s", ConfigFile, err)
	}
	prompt, err := decodeWeights(cfg, weights)
	if err != nil {
		return Config{}, nil, fmt.Errorf("adapter: %s: %w", WeightsFile, err)
	}
	return cfg, prompt, nil
}

func decodeWeights(cfg Config, weights []byte) ([]float32, error) {
	f, err := safetensors.Parse(bytes.NewReader(weights), int64(len(weights)))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, t := range f.Tensors() {
		names = append(names, t.Name)
	}
	if len(names) != 1 || names[0] != TensorName {
		return nil, fmt.Errorf("holds tensors %q; a prefix-tuning adapter holds only %q", names, TensorName)
	}
	info, err := f.Info(TensorName)
	if err != nil {
		return nil, err
	}
	want := cfg.Shape()
	if len(info.Shape) != 2 || info.Shape[0] != want[0] || info.Shape[1] != want[1] {
		return nil, fmt.Errorf("%s has shape %v, but %s says %s", TensorName, info.Shape, ConfigFile, cfg.describeShape())
	}
	return f.Float32(TensorName)
}

// Write writes the adapter into dir, creating dir if needed.
func Write(dir string, cfg Config, prompt []float32) error {
	configJSON, weights, err := Encode(cfg, prompt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("adapter: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), configJSON, 0o644); err != nil {
		return fmt.Errorf("adapter: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, WeightsFile), weights, 0o644); err != nil {
		return fmt.Errorf("adapter: %w", err)
	}
	return nil
}

// Read reads the adapter in dir.
func Read(dir string) (Config, []float32, error) {
	configJSON, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return Config{}, nil, fmt.Errorf("adapter: %w", err)
	}
	weights, err := os.ReadFile(filepath.Join(dir, WeightsFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, statErr := os.Stat(filepath.Join(dir, PickleFile)); statErr == nil {
			return Config{}, nil, fmt.Errorf("adapter: %s has %s but no %s: only safetensors weights are supported; "+
				"re-save the adapter with PEFT's save_pretrained(..., safe_serialization=True)", dir, PickleFile, WeightsFile)
		}
	}
	if err != nil {
		return Config{}, nil, fmt.Errorf("adapter: %w", err)
	}
	cfg, prompt, err := Decode(configJSON, weights)
	if err != nil {
		return Config{}, nil, fmt.Errorf("%w (in %s)", err, dir)
	}
	return cfg, prompt, nil
}
