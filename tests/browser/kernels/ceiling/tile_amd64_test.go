//go:build amd64

package ceiling

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Each tile computes its doc comment's loop: the plain one bit for bit, the
// fused one within a rounding of the float64 fma.
func TestTiles(t *testing.T) {
	if err := usable(); err != nil {
		t.Skip(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	for build, tl := range tiles {
		R := tl.rows
		for _, K := range []int{0, 1, 3, 8, 257} {
			a, b, c := fill(K*R+1), fill(K*8+1), fill(R*8)
			want := append([]float32(nil), c...)
			for k := range K {
				for i := range R {
					for j := range 8 {
						x, y, z := a[k*R+i], b[k*8+j], want[i*8+j]
						if build == "plain" {
							want[i*8+j] = z + float32(x*y)
						} else {
							want[i*8+j] = float32(math.FMA(float64(x), float64(y), float64(z)))
						}
					}
				}
			}
			tl.run(&a[0], &b[0], &c[0], K)
			for i := range c {
				if c[i] != want[i] && (build == "plain" || math.Abs(float64(c[i]-want[i])) > 1e-6*(1+math.Abs(float64(want[i])))) {
					t.Fatalf("%s, kc %d: c[%d] = %v, want %v", build, K, i, c[i], want[i])
				}
			}
		}
	}
}

// Time measures both tiles on two threads.
func TestTime(t *testing.T) {
	if err := usable(); err != nil {
		t.Skip(err)
	}
	for _, build := range []string{"plain", "relaxed"} {
		r, err := Time(build, 2, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		if r.Best1 <= 0 || r.Median1 > r.Best1 || r.BestN <= 0 || r.MedianN > r.BestN || r.Scaling <= 0 {
			t.Errorf("%s: %+v", build, r)
		}
	}
	if _, err := Time("avx512", 1, 0.05); err == nil {
		t.Error("an unknown build was timed")
	}
}
