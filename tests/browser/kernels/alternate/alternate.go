// Package alternate times a computation on one thread and on n in
// alternating batches, the way the kernel benchmarks compare thread counts
// on a shared host: its state drifts over seconds (other tenants take
// caches and cores), so the scaling from one thread to n is measured
// between adjacent batches, which see the same state, and summarised by the
// median of these ratios. The best batch says what the code can do, since
// other processes only ever make a batch slower; the median says what it
// usually does.
package alternate

import (
	"slices"
	"time"
)

// Rates are the rates of the batches on one thread and on n: the best and
// the median of each, and the median over adjacent pairs of the ratio of
// the rate on n threads to the rate on one (all 0 on n when n is 1).
type Rates struct {
	Best1, Median1, BestN, MedianN, Scaling float64
}

// Time calls rate(1) and, when n > 1, rate(n) in turn for seconds, after a
// fifth of that of warm-up (V8 tiers up, caches fill). rate(threads) runs
// one batch on that many threads and returns its rate.
func Time(n int, seconds float64, rate func(threads int) float64) Rates {
	var one, many, ratios []float64
	for _, span := range []float64{seconds / 5, seconds} {
		one, many, ratios = one[:0], many[:0], ratios[:0]
		for t0 := time.Now(); time.Since(t0).Seconds() < span; {
			r1 := rate(1)
			one = append(one, r1)
			if n > 1 {
				rn := rate(n)
				many, ratios = append(many, rn), append(ratios, rn/r1)
			}
		}
	}
	r := Rates{Best1: slices.Max(one), Median1: median(one)}
	if n > 1 {
		r.BestN, r.MedianN, r.Scaling = slices.Max(many), median(many), median(ratios)
	}
	return r
}

// median of x, which it sorts.
func median(x []float64) float64 {
	slices.Sort(x)
	if n := len(x); n%2 == 0 {
		return (x[n/2-1] + x[n/2]) / 2
	}
	return x[len(x)/2]
}
