package tensortest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
)

// guard is the number of slots checked on each side of every buffer.
const guard = 7

// sentinel fills guard bands; no op can produce it by accident.
const sentinel = float32(-1234.5678)

// env holds the device under test beside the reference.
type env struct {
	t   *testing.T
	ref *tensor.CPU
	dev tensor.Device
	rng *rand.Rand
}

// buf is one logical buffer mirrored on both devices, inside a guard band.
type buf struct {
	r, d   tensor.Tensor // the buffer itself
	rg, dg tensor.Tensor // the buffer with its guard bands
	n      int
}

func newEnv(t *testing.T, dev tensor.Device) *env {
	return &env{t: t, ref: tensor.NewCPU(), dev: dev, rng: rand.New(rand.NewPCG(1, 2))}
}

// alloc places n slots at a random offset 0..3 inside a guarded region on
// both devices and fills them with vals.
func (e *env) alloc(vals []float32) buf {
	n := len(vals)
	skew := e.rng.IntN(4)
	full := make([]float32, n+2*guard+skew)
	for i := range full {
		full[i] = sentinel
	}
	copy(full[guard+skew:], vals)
	b := buf{n: n}
	b.rg = e.ref.Alloc(len(full))
	b.dg = e.dev.Alloc(len(full))
	e.ref.Upload(b.rg, full)
	e.dev.Upload(b.dg, full)
	b.r = b.rg.Slice(guard+skew, n)
	b.d = b.dg.Slice(guard+skew, n)
	return b
}

// normal returns a buffer of n values drawn from N(0, std^2).
func (e *env) normal(n int, std float64) buf {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(e.rng.NormFloat64() * std)
	}
	return e.alloc(v)
}

// ints returns a buffer of n int32 values in [lo, hi).
func (e *env) ints(n, lo, hi int) buf {
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(uint32(int32(lo + e.rng.IntN(hi-lo))))
	}
	return e.alloc(v)
}

// check compares b on both devices (and its guard bands) within tol.
func (e *env) check(name string, b buf, tol float64) {
	e.t.Helper()
	want := make([]float32, b.rg.Len)
	got := make([]float32, b.dg.Len)
	e.ref.Download(want, b.rg)
	e.dev.Download(got, b.dg)
	inner := b.r.Off - b.rg.Off
	var maxWant, maxErr float64
	for i := range want {
		if i < inner || i >= inner+b.n {
			if got[i] != sentinel {
				e.t.Fatalf("%s: %s wrote outside its buffer at slot %d (got %v)", e.dev.Name(), name, i-inner, got[i])
			}
			continue
		}
		if math.IsNaN(float64(got[i])) != math.IsNaN(float64(want[i])) {
			e.t.Fatalf("%s: %s[%d] = %v, want %v", e.dev.Name(), name, i-inner, got[i], want[i])
		}
		maxWant = max(maxWant, math.Abs(float64(want[i])))
		maxErr = max(maxErr, math.Abs(float64(got[i]-want[i])))
	}
	if rel := maxErr / max(1, maxWant); rel > tol {
		e.t.Fatalf("%s: %s differs from the reference: normalised error %.3g > %.3g", e.dev.Name(), name, rel, tol)
	}
}

// sizes are the lengths every elementwise op is tried at.
func sizes() []int {
	s := make([]int, 0, 68)
	for n := 1; n <= 67; n++ {
		s = append(s, n)
	}
	return append(s, 1025)
}

func caseName(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func float32frombits(x int32) float32 { return math.Float32frombits(uint32(x)) }

// sub returns the view of n slots of b starting at off, on both devices.
func (b buf) sub(off, n int) buf {
	return buf{r: b.r.Slice(off, n), d: b.d.Slice(off, n), rg: b.rg, dg: b.dg, n: n}
}
