package data

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

func numbered(n int) []Example {
	exs := make([]Example, n)
	for i := range exs {
		exs[i] = Example{Completion: fmt.Sprint(i)}
	}
	return exs
}

func TestSplit(t *testing.T) {
	train, val, err := Split(numbered(10), 0.3, 42)
	if err != nil {
		t.Fatal(err)
	}
	// Pinned: a change in the split algorithm must be deliberate.
	if !reflect.DeepEqual(val, texts("2", "6", "8")) || !reflect.DeepEqual(train, texts("0", "1", "3", "4", "5", "7", "9")) {
		t.Fatalf("train %v val %v", train, val)
	}
	train2, val2, _ := Split(numbered(10), 0.3, 43)
	if reflect.DeepEqual(val, val2) || len(train2) != 7 {
		t.Errorf("seed 43 gives the same split or wrong sizes: %v %v", train2, val2)
	}
	cases := []struct {
		n          int
		frac       float64
		nTrain, nV int
	}{
		{10, 0, 10, 0},
		{10, 0.01, 9, 1},
		{10, 0.99, 1, 9},
		{2, 0.5, 1, 1},
		{1000, 0.1, 900, 100},
	}
	for _, c := range cases {
		train, val, err := Split(numbered(c.n), c.frac, 1)
		if err != nil || len(train) != c.nTrain || len(val) != c.nV {
			t.Errorf("n=%d frac=%v: %d train %d val %v, want %d %d", c.n, c.frac, len(train), len(val), err, c.nTrain, c.nV)
		}
	}
}

func TestSplitErrors(t *testing.T) {
	for _, c := range []struct {
		n    int
		frac float64
	}{{10, -0.1}, {10, 1}, {10, 2}, {10, math.NaN()}, {1, 0.5}, {0, 0.5}} {
		if _, _, err := Split(numbered(c.n), c.frac, 1); err == nil {
			t.Errorf("n=%d frac=%v: no error", c.n, c.frac)
		}
	}
}
