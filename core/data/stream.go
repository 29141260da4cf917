package data

import (
	"fmt"
	"math/rand/v2"
	"prefixtune/core/draw"
)

// Stream is a long token sequence (documents joined by EOS) cut into
// windows of T tokens for language-model pretraining: every position
// predicts the next token.
type Stream struct {
	Tokens []int32
	T      int
	Seed   uint64
}

// Batch returns B windows at positions drawn from (Seed, step), so a run
// can resume at any step.
func (s Stream) Batch(step, B int) (Batch, error) {
	n := len(s.Tokens) - s.T
	if s.T < 1 || n < 1 {
		return Batch{}, fmt.Errorf("data: a stream of %d tokens is too short for windows of %d", len(s.Tokens), s.T)
	}
	src := rand.NewPCG(s.Seed, uint64(step))
	seqs := make([]Sequence, B)
	for i := range seqs {
		seqs[i] = s.window(draw.Below(src, uint64(n)))
	}
	return MakeBatch(seqs, 0), nil
}

// Windows cuts the stream into consecutive, non-overlapping windows, at
// most max of them (0: all), for evaluation.
func (s Stream) Windows(max int) []Sequence {
	var seqs []Sequence
	for o := 0; o+s.T < len(s.Tokens) && (max == 0 || len(seqs) < max); o += s.T {
		seqs = append(seqs, s.window(o))
	}
	return seqs
}

// window is the T tokens at o, each targeting the token after it.
func (s Stream) window(o int) Sequence {
	return Sequence{Tokens: s.Tokens[o : o+s.T], Targets: s.Tokens[o+1 : o+s.T+1]}
}
