package draw

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestBelowPinned pins the draws of one seed: a change in how orders and
// resamples are drawn must be deliberate.
func TestBelowPinned(t *testing.T) {
	src := rand.NewPCG(1, 0x6d6574726963730a)
	got := make([]int, 12)
	for i := range got {
		got[i] = Below(src, 10)
	}
	want := []int{3, 4, 3, 5, 2, 7, 3, 8, 9, 7, 9, 5}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("draws %v, pinned %v", got, want)
	}
}

// TestBelowUniform checks a chi-square bound on 60,000 draws from [0, 6).
func TestBelowUniform(t *testing.T) {
	const n, draws = 6, 60000
	var counts [n]int
	src := rand.NewPCG(1, 2)
	for range draws {
		v := Below(src, n)
		if v < 0 || v >= n {
			t.Fatalf("Below(%d) = %d", n, v)
		}
		counts[v]++
	}
	chi2, want := 0.0, float64(draws)/n
	for _, c := range counts {
		chi2 += (float64(c) - want) * (float64(c) - want) / want
	}
	if chi2 > 20.5 { // p = 0.001 for 5 degrees of freedom
		t.Fatalf("chi-square %.1f over %v", chi2, counts)
	}
}

// TestBelowRejects takes the rejection path: with n = 2^63 + 1 about half
// of the raw draws are rejected, and every result is still below n.
func TestBelowRejects(t *testing.T) {
	n := uint64(1)<<63 + 1
	src := rand.NewPCG(3, 4)
	for range 1000 {
		if v := uint64(Below(src, n)); v >= n {
			t.Fatalf("Below = %d >= %d", v, n)
		}
	}
}
