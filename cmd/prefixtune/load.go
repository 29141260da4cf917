package main

import (
	"fmt"

	"prefixtune/core/adapter"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
)

// loaded is a model with its tokenizer on the fast native device.
type loaded struct {
	m   *model.GPT2
	tok *tokenizer.Tokenizer
}

func loadModel(dir string, threads int) (*loaded, error) {
	if dir == "" {
		return nil, fmt.Errorf("--model is required: a directory with config.json, model.safetensors and tokenizer.json")
	}
	m, err := model.Load(tensor.NewFast(threads), dir)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, err
	}
	if tok.EOS() < 0 {
		return nil, fmt.Errorf("%s: the tokenizer has no end-of-text token (<|endoftext|>), which marks where completions end", dir)
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, fmt.Errorf("%s: the tokenizer has %d tokens but the model only %d", dir, tok.VocabSize(), m.Config.VocabSize)
	}
	return &loaded{m, tok}, nil
}

// encode tokenizes text as int32 ids.
func (l *loaded) encode(text string) []int32 {
	ids := l.tok.Encode(text)
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}

// loadAdapter reads an adapter for l's model as a direct prefix.
func (l *loaded) loadAdapter(dir string) (*prefix.Prefix, error) {
	cfg, rows, err := adapter.Read(dir)
	if err != nil {
		return nil, err
	}
	c := l.m.Config
	if cfg.NumLayers != c.NLayer || cfg.TokenDim != c.NEmbd || cfg.NumAttentionHeads != c.NHead {
		return nil, fmt.Errorf("%s: the adapter was made for %d layers x %d heads x %d dims, this model has %d x %d x %d",
			dir, cfg.NumLayers, cfg.NumAttentionHeads, cfg.TokenDim, c.NLayer, c.NHead, c.NEmbd)
	}
	p := prefix.New(l.m, cfg.NumVirtualTokens, 0)
	if err := p.InitRows(l.m, rows); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return p, nil
}

// adapterConfig describes prefix p of l's model for adapter_config.json.
func (l *loaded) adapterConfig(p *prefix.Prefix, base string) adapter.Config {
	c := l.m.Config
	return adapter.NewConfig(base, p.P, c.NLayer, c.NHead, c.NEmbd)
}
