package data

// Batch is B sequences laid out [B,T] row-major (row b, position t at
// b*T+t), right padded to the longest of them. Padding has token pad,
// Valid 0 and target -1; real tokens have Valid 1. NTargets counts the
// targets that are not -1, the denominator of the mean loss.
type Batch struct {
	B, T     int
	Tokens   []int32
	Targets  []int32
	Valid    []float32
	NTargets int
}

// MakeBatch packs seqs into one Batch padded with the token pad (the
// end-of-sequence token).
func MakeBatch(seqs []Sequence, pad int32) Batch {
	T := 0
	for _, s := range seqs {
		T = max(T, len(s.Tokens))
	}
	b := Batch{
		B:       len(seqs),
		T:       T,
		Tokens:  make([]int32, len(seqs)*T),
		Targets: make([]int32, len(seqs)*T),
		Valid:   make([]float32, len(seqs)*T),
	}
	for i, s := range seqs {
		row := i * T
		for t := range T {
			if t >= len(s.Tokens) {
				b.Tokens[row+t], b.Targets[row+t] = pad, -1
				continue
			}
			b.Tokens[row+t], b.Targets[row+t], b.Valid[row+t] = s.Tokens[t], s.Targets[t], 1
			if s.Targets[t] >= 0 {
				b.NTargets++
			}
		}
	}
	return b
}
