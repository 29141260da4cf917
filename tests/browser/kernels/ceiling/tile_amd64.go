//go:build amd64

package ceiling

import (
	"errors"

	"golang.org/x/sys/cpu"
)

// plain5x8 is the plain build's tile: for k < kc, i < 5, j < 8,
//
//	c[i*8+j] += float32(a[k*5+i] * b[k*8+j])
//
// a product and then a sum, each rounded to float32.
//
//go:noescape
func plain5x8(a, b, c *float32, kc int)

// fma6x8 is the relaxed build's tile: for k < kc, i < 6, j < 8,
//
//	c[i*8+j] = fma(a[k*6+i], b[k*8+j], c[i*8+j])
//
// rounded once.
//
//go:noescape
func fma6x8(a, b, c *float32, kc int)

// tiles are the tiles by kernel build.
var tiles = map[string]tile{"plain": {rows: 5, run: plain5x8}, "relaxed": {rows: 6, run: fma6x8}}

// usable says why the tiles cannot run here, or is nil.
func usable() error {
	if !cpu.X86.HasAVX || !cpu.X86.HasFMA {
		return errors.New("ceiling: this processor lacks AVX or FMA, which the native tiles use")
	}
	return nil
}
