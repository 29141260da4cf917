package draw

import (
	"math/bits"
	"math/rand/v2"
)

// Below returns a uniform draw from [0, n), n > 0, by Lemire's
// multiply-and-reject method.
func Below(src *rand.PCG, n uint64) int {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return int(hi)
}
