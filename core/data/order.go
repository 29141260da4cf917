package data

import (
	"fmt"
	"math/rand/v2"

	"prefixtune/core/draw"
)

// Order returns the order in which epoch visits n examples: 0..n-1 when
// shuffle is false, else a permutation that depends only on (n, seed,
// epoch).
func Order(n int, shuffle bool, seed uint64, epoch int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if shuffle {
		permute(idx, rand.NewPCG(seed, uint64(epoch)))
	}
	return idx
}

// permute shuffles idx in place (Fisher-Yates), drawing from src.
func permute(idx []int, src *rand.PCG) {
	for i := len(idx) - 1; i > 0; i-- {
		j := draw.Below(src, uint64(i+1))
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// Loader yields the batch of every optimiser step of a run over Seqs, so a
// run can resume at any step. See the package documentation for the order.
type Loader struct {
	Seqs      []Sequence
	BatchSize int
	Shuffle   bool
	Seed      uint64
	Pad       int32 // the pad token, EOS
}

// StepsPerEpoch returns ceil(len(Seqs)/BatchSize), or 0 when there are no
// sequences or the batch size is below 1.
func (l *Loader) StepsPerEpoch() int {
	if len(l.Seqs) == 0 || l.BatchSize < 1 {
		return 0
	}
	return (len(l.Seqs) + l.BatchSize - 1) / l.BatchSize
}

// Rows returns the epoch of optimiser step s (0-based) and the indices into
// Seqs of its batch.
func (l *Loader) Rows(step int) (epoch int, rows []int, err error) {
	spe := l.StepsPerEpoch()
	switch {
	case len(l.Seqs) == 0:
		return 0, nil, fmt.Errorf("data: no sequences to load (the training set is empty)")
	case l.BatchSize < 1:
		return 0, nil, fmt.Errorf("data: batch size %d; it must be at least 1", l.BatchSize)
	case step < 0:
		return 0, nil, fmt.Errorf("data: step %d; steps count from 0", step)
	}
	epoch = step / spe
	return epoch, l.Epoch(epoch)[step%spe], nil
}

// Epoch returns the batches of epoch e (indices into Seqs) in the order
// its steps take them; nil when the loader has no steps.
func (l *Loader) Epoch(e int) [][]int {
	spe, B := l.StepsPerEpoch(), l.BatchSize
	if spe == 0 {
		return nil
	}
	order := Order(len(l.Seqs), l.Shuffle, l.Seed, e)
	batches := make([][]int, spe)
	for k := range batches {
		batches[k] = order[k*B : min((k+1)*B, len(order))]
	}
	return batches
}

// Batch returns the batch of optimiser step s (0-based).
func (l *Loader) Batch(step int) (Batch, error) {
	_, rows, err := l.Rows(step)
	if err != nil {
		return Batch{}, err
	}
	seqs := make([]Sequence, len(rows))
	for i, r := range rows {
		seqs[i] = l.Seqs[r]
	}
	return MakeBatch(seqs, l.Pad), nil
}
