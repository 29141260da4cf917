package alternate

import (
	"testing"
	"time"
)

// A rate that doubles on two threads gives a scaling of 2, and the best and
// median of what rate returned.
func TestTime(t *testing.T) {
	calls := map[int]int{}
	r := Time(2, 0.02, func(threads int) float64 {
		calls[threads]++
		time.Sleep(time.Millisecond)
		return float64(threads) * float64(10+calls[threads]%3)
	})
	if calls[1] == 0 || calls[1] != calls[2] {
		t.Fatalf("batches on 1 and 2 threads: %v, want as many of each", calls)
	}
	if r.Scaling != 2 || r.Best1 != 12 || r.BestN != 24 || r.Median1 < 10 || r.Median1 > 12 || r.MedianN != 2*r.Median1 {
		t.Errorf("%+v", r)
	}
	if r := Time(1, 0.01, func(int) float64 { return 5 }); r != (Rates{Best1: 5, Median1: 5}) {
		t.Errorf("one thread: %+v", r)
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3, 1, 2 is %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("median of 4, 1, 3, 2 is %v", m)
	}
}
