package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// splitStream is the PCG stream of Split, far from the epochs' streams
// (0, 1, 2, ...) so that a split and an epoch order never coincide.
const splitStream = 0x73706c6974 // "split"

// Split holds out round(valFrac*n) of the n examples for validation (at
// least one when valFrac > 0, and never all), chosen by seed. Both parts
// keep file order. valFrac 0 holds out nothing.
func Split(examples []Example, valFrac float64, seed uint64) (train, val []Example, err error) {
	n := len(examples)
	switch {
	case !(valFrac >= 0 && valFrac < 1):
		return nil, nil, fmt.Errorf("data: validation fraction %v; it must be at least 0 and below 1", valFrac)
	case valFrac == 0:
		return examples, nil, nil
	case n < 2:
		return nil, nil, fmt.Errorf("data: %d example(s) cannot be split; holding out a validation set needs at least 2", n)
	}
	nVal := min(max(int(math.Round(valFrac*float64(n))), 1), n-1)
	idx := Order(n, false, 0, 0)
	permute(idx, rand.NewPCG(seed, splitStream))
	inVal := make([]bool, n)
	for _, i := range idx[:nVal] {
		inVal[i] = true
	}
	for i, ex := range examples {
		if inVal[i] {
			val = append(val, ex)
		} else {
			train = append(train, ex)
		}
	}
	return train, val, nil
}
