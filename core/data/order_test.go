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

// TestGroupByLength: with grouping, the batches of an epoch are the
// chunks of its shuffled order after each run of GroupBatches batches was
// sorted longest first, each once, in an order that does not follow their
// lengths; a step's rows do not depend on what was asked before; without
// shuffling, grouping changes nothing; and padding falls.
func TestGroupByLength(t *testing.T) {
	const n, B = 1234, 5
	var seqs []Sequence
	for i := range n {
		T := 1 + (i*7919)%97
		seqs = append(seqs, Sequence{Tokens: make([]int32, T), Targets: make([]int32, T)})
	}
	length := func(i int) int { return len(seqs[i].Tokens) }
	grouped := &Loader{Seqs: seqs, BatchSize: B, Shuffle: true, GroupByLength: true, Seed: 3}
	plain := &Loader{Seqs: seqs, BatchSize: B, Shuffle: true, Seed: 3}
	spe := grouped.StepsPerEpoch()
	padded := func(l *Loader, step int) int {
		b, err := l.Batch(step)
		if err != nil {
			t.Fatal(err)
		}
		return b.B*b.T - int(sumValid(b))
	}
	padG, padP := 0, 0
	for epoch := range 2 {
		// The batches as the documentation builds them, in sorted order.
		order := Order(n, true, 3, epoch)
		for g := 0; g < n; g += GroupBatches * B {
			group := order[g:min(g+GroupBatches*B, n)]
			slices.SortStableFunc(group, func(a, b int) int { return length(b) - length(a) })
		}
		want := map[string]bool{}
		for i := 0; i < n; i += B {
			want[fmt.Sprint(order[i:min(i+B, n)])] = true
		}
		var longest []int // of each step's batch
		for s := epoch * spe; s < (epoch+1)*spe; s++ {
			_, rows, err := grouped.Rows(s)
			if err != nil {
				t.Fatal(err)
			}
			if !want[fmt.Sprint(rows)] {
				t.Fatalf("epoch %d step %d: batch %v is not one of the sorted chunks, or came twice", epoch, s, rows)
			}
			delete(want, fmt.Sprint(rows))
			longest = append(longest, length(rows[0]))
			padG, padP = padG+padded(grouped, s), padP+padded(plain, s)
		}
		if len(want) != 0 {
			t.Fatalf("epoch %d left out %d batches", epoch, len(want))
		}
		if slices.IsSortedFunc(longest[:GroupBatches], func(a, b int) int { return b - a }) {
			t.Errorf("epoch %d takes its first %d batches longest first: the loss would follow the lengths", epoch, GroupBatches)
		}
	}
	_, first, _ := grouped.Rows(7)
	grouped.Rows(spe + 3)
	if _, again, _ := grouped.Rows(7); !slices.Equal(first, again) {
		t.Errorf("step 7 gave %v, then %v", first, again)
	}
	if padG*5 > padP {
		t.Errorf("grouping left %d padded positions, more than a fifth of the %d without", padG, padP)
	}
	fileOrder := &Loader{Seqs: seqs, BatchSize: B, GroupByLength: true}
	if _, rows, _ := fileOrder.Rows(2); !slices.Equal(rows, []int{10, 11, 12, 13, 14}) {
		t.Errorf("without shuffling, step 2 is %v, want the file's examples 10-14", rows)
	}
}

func sumValid(b Batch) float32 {
	var s float32
	for _, v := range b.Valid {
		s += v
	}
	return s
}
