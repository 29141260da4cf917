package data

import "testing"

func TestStream(t *testing.T) {
	toks := make([]int32, 100)
	for i := range toks {
		toks[i] = int32(i)
	}
	s := Stream{Tokens: toks, T: 8, Seed: 3}
	a, err := s.Batch(5, 4)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Batch(5, 4)
	c, _ := s.Batch(6, 4)
	if a.B != 4 || a.T != 8 || a.NTargets != 32 {
		t.Fatalf("batch %dx%d with %d targets", a.B, a.T, a.NTargets)
	}
	same := true
	for i := range a.Tokens {
		if a.Tokens[i] != b.Tokens[i] {
			t.Fatal("the same step gave different windows")
		}
		same = same && a.Tokens[i] == c.Tokens[i]
		if a.Targets[i] != a.Tokens[i]+1 {
			t.Fatalf("position %d: token %d targets %d, want the next token", i, a.Tokens[i], a.Targets[i])
		}
	}
	if same {
		t.Error("steps 5 and 6 gave the same windows")
	}
	w := s.Windows(0)
	if len(w) != 12 || w[11].Tokens[0] != 88 {
		t.Errorf("%d windows, last starts at %d; want 12 starting at 88", len(w), w[len(w)-1].Tokens[0])
	}
	if _, err := (Stream{Tokens: toks[:5], T: 8}).Batch(0, 1); err == nil {
		t.Error("a stream shorter than a window was accepted")
	}
}
