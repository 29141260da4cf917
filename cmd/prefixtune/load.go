package main

import (
	"fmt"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
	"prefixtune/core/tune"
)

// loaded is a model with its tokenizer on the fast native device.
type loaded struct {
	m   *model.Model
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
	if err := tune.CheckTokenizer(m.Config, tok); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &loaded{m, tok}, nil
}

// encode tokenizes text as the model reads it (BOS first when the
// tokenizer has one).
func (l *loaded) encode(text string) []int32 {
	return data.Encode(l.tok, text)
}

// loadAdapter reads an adapter for l's model as a direct prefix.
func (l *loaded) loadAdapter(dir string) (*prefix.Prefix, error) {
	cfg, rows, err := adapter.Read(dir)
	if err != nil {
		return nil, err
	}
	p, err := tune.NewPrefix(l.m, tune.Options{PrefixLen: cfg.NumVirtualTokens}, tune.Init{Adapter: &cfg, Rows: rows}, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return p, nil
}

// readSeqs reads a data file and tokenizes every example to at most T tokens.
func (l *loaded) readSeqs(path string, T int) ([]data.Sequence, error) {
	if path == "" {
		return nil, fmt.Errorf("--data is required: a .jsonl, .csv or .txt file")
	}
	exs, err := data.Read(path, data.Options{})
	if err != nil {
		return nil, err
	}
	return tune.Sequences(exs, l.tok, T), nil
}
