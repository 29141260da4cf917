package tune

import "prefixtune/core/data"

// Bin counts the examples whose length is at most Upto and above the
// previous bin's Upto.
type Bin struct{ Upto, Count int }

// Stats describe a tokenised data set at a sequence length. Lengths count
// prompt + completion + end token, before truncation.
type Stats struct {
	Examples     int
	SeqLen       int
	Tokens       int // all tokens, before truncation
	TargetTokens int // tokens that carry loss after truncation
	MinLen       int
	MaxLen       int
	MeanLen      float64
	Histogram    []Bin // bins up to 8, 16, 32, ... (powers of two) covering MaxLen
	Truncated    int   // examples longer than SeqLen
	NoTargets    int   // examples left without a target by truncation
}

// Describe tokenises exs in full and describes them at sequence length T.
func Describe(exs []data.Example, enc data.Encoder, T int) Stats {
	s := Stats{Examples: len(exs), SeqLen: T}
	lens := make([]int, len(exs))
	for i, ex := range exs {
		full := data.Tokenize(ex, enc, 0)
		n := len(full.Tokens)
		lens[i], s.Tokens = n, s.Tokens+n
		if i == 0 || n < s.MinLen {
			s.MinLen = n
		}
		s.MaxLen = max(s.MaxLen, n)
		if n > T {
			s.Truncated++
		}
		// data.Tokenize's targets after a cut: the last kept position has none.
		k := 0
		for _, t := range full.Targets[:max(0, min(n, T)-1)] {
			if t >= 0 {
				k++
			}
		}
		if k == 0 {
			s.NoTargets++
		}
		s.TargetTokens += k
	}
	if len(exs) > 0 {
		s.MeanLen = float64(s.Tokens) / float64(len(exs))
	}
	for lo, upto := 0, 8; ; lo, upto = upto, 2*upto {
		b := Bin{Upto: upto}
		for _, n := range lens {
			if n > lo && n <= upto {
				b.Count++
			}
		}
		s.Histogram = append(s.Histogram, b)
		if upto >= s.MaxLen {
			return s
		}
	}
}
