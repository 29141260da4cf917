package main

import (
	"fmt"

	"prefixtune/core/data"
	"prefixtune/core/model"
)

// readSeqs reads a data file and tokenizes every example to at most T tokens.
func (l *loaded) readSeqs(path string, T int) ([]data.Sequence, error) {
	if path == "" {
		return nil, fmt.Errorf("--data is required: a .jsonl, .csv or .txt file")
	}
	exs, err := data.Read(path, data.Options{})
	if err != nil {
		return nil, err
	}
	if len(exs) == 0 {
		return nil, fmt.Errorf("%s: no examples", path)
	}
	seqs := make([]data.Sequence, len(exs))
	for i, ex := range exs {
		seqs[i] = data.Tokenize(ex, l.tok, T)
	}
	return seqs, nil
}

// batch converts a data batch to the model's input.
func batch(b data.Batch) model.Batch {
	return model.Batch{B: b.B, T: b.T, Tokens: b.Tokens, Targets: b.Targets, Valid: b.Valid}
}

// defaultSeqLen caps sequences when --seq-len is not given.
const defaultSeqLen = 128

// seqLen returns the sequence length to use after a prefix of P positions:
// want, or when want is 0 the default capped by the model's positions.
func (l *loaded) seqLen(want, P int) (int, error) {
	room := l.m.Config.NPositions - P
	if want <= 0 {
		return min(defaultSeqLen, room), nil
	}
	if want > room {
		return 0, fmt.Errorf("--seq-len %d plus a prefix of %d exceeds the model's %d positions; use --seq-len %d or less", want, P, l.m.Config.NPositions, room)
	}
	return want, nil
}

// longest returns the length of the longest sequence: the arena's T.
func longest(sets ...[]data.Sequence) int {
	T := 1
	for _, seqs := range sets {
		for _, s := range seqs {
			T = max(T, len(s.Tokens))
		}
	}
	return T
}
