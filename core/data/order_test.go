package data

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
)

func TestOrderFixed(t *testing.T) {
	// Pinned values: if the shuffle changes, runs stop being reproducible
	// and resumable from older checkpoints.
	cases := []struct {
		seed  uint64
		epoch int
		want  []int
	}{
		{42, 0, []int{6, 2, 5, 3, 4, 7, 0, 1, 9, 8}},
		{42, 1, []int{2, 3, 9, 6, 0, 8, 7, 4, 5, 1}},
		{7, 0, []int{7, 8, 6, 4, 3, 5, 1, 0, 9, 2}},
	}
	for _, c := range cases {
		if got := Order(10, true, c.seed, c.epoch); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Order(10, true, %d, %d) = %v, want %v", c.seed, c.epoch, got, c.want)
		}
	}
	if got := Order(4, false, 42, 3); !reflect.DeepEqual(got, []int{0, 1, 2, 3}) {
		t.Errorf("unshuffled order %v", got)
	}
	if got := Order(0, true, 1, 0); len(got) != 0 {
		t.Errorf("empty order %v", got)
	}
}

func TestOrderIsUniform(t *testing.T) {
	// Each of the 6 permutations of 3 should appear 1/6 of the time; a
	// biased bounded draw or an off-by-one in Fisher-Yates fails this.
	counts := map[string]int{}
	const n = 60000
	for e := range n {
		counts[fmt.Sprint(Order(3, true, 1, e))]++
	}
	if len(counts) != 6 {
		t.Fatalf("%d distinct permutations of 3, want 6: %v", len(counts), counts)
	}
	for p, c := range counts {
		if c < n/6-500 || c > n/6+500 { // about 5 standard deviations
			t.Errorf("permutation %s drawn %d times of %d", p, c, n)
		}
	}
}

func seqsOf(n int) []Sequence {
	seqs := make([]Sequence, n)
	for i := range seqs {
		seqs[i] = Sequence{Tokens: []int32{int32(i)}, Targets: []int32{-1}}
	}
	return seqs
}

func TestLoaderUnshuffled(t *testing.T) {
	cases := []struct {
		n, batch int
		steps    [][]int
	}{
		{6, 2, [][]int{{0, 1}, {2, 3}, {4, 5}, {0, 1}, {2, 3}}},
		{5, 2, [][]int{{0, 1}, {2, 3}, {4}, {0, 1}, {2, 3}, {4}, {0, 1}}},
		{3, 5, [][]int{{0, 1, 2}, {0, 1, 2}}},
	}
	for _, c := range cases {
		l := Loader{Seqs: seqsOf(c.n), BatchSize: c.batch, Pad: 9}
		for s, want := range c.steps {
			epoch, rows, err := l.Rows(s)
			if err != nil || !reflect.DeepEqual(rows, want) || epoch != s/l.StepsPerEpoch() {
				t.Errorf("n=%d B=%d step %d: epoch %d rows %v %v, want rows %v", c.n, c.batch, s, epoch, rows, err, want)
			}
			b, err := l.Batch(s)
			if err != nil || b.B != len(want) || b.T != 1 || int(b.Tokens[0]) != want[0] {
				t.Errorf("n=%d B=%d step %d: batch %+v %v", c.n, c.batch, s, b, err)
			}
		}
	}
}

func TestLoaderShuffledEpochs(t *testing.T) {
	l := Loader{Seqs: seqsOf(7), BatchSize: 3, Shuffle: true, Seed: 5}
	if l.StepsPerEpoch() != 3 {
		t.Fatalf("steps per epoch %d, want 3", l.StepsPerEpoch())
	}
	for epoch := range 3 {
		var seen []int
		for k := range 3 {
			e, rows, err := l.Rows(epoch*3 + k)
			if err != nil || e != epoch {
				t.Fatalf("step %d: epoch %d, %v", epoch*3+k, e, err)
			}
			seen = append(seen, rows...)
		}
		if !reflect.DeepEqual(seen, Order(7, true, 5, epoch)) {
			t.Errorf("epoch %d visits %v, want its order", epoch, seen)
		}
		slices.Sort(seen)
		if !reflect.DeepEqual(seen, []int{0, 1, 2, 3, 4, 5, 6}) {
			t.Errorf("epoch %d does not visit each example once: %v", epoch, seen)
		}
	}
	// A second loader (a resumed run) yields the same batch for a step.
	r := Loader{Seqs: seqsOf(7), BatchSize: 3, Shuffle: true, Seed: 5}
	a, _ := l.Batch(7)
	b, _ := r.Batch(7)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("resumed batch differs: %+v %+v", a, b)
	}
}

func TestLoaderErrors(t *testing.T) {
	for _, l := range []Loader{{Seqs: nil, BatchSize: 2}, {Seqs: seqsOf(3), BatchSize: 0}} {
		if _, err := l.Batch(0); err == nil {
			t.Errorf("%+v: no error", l)
		}
		if l.StepsPerEpoch() != 0 {
			t.Errorf("%+v: %d steps per epoch", l, l.StepsPerEpoch())
		}
	}
	l := Loader{Seqs: seqsOf(3), BatchSize: 2}
	if _, err := l.Batch(-1); err == nil {
		t.Error("step -1: no error")
	}
}
