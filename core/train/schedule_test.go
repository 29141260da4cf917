package train

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// TestLRReference compares LR with torch's LambdaLR running Hugging Face's
// lambdas (tests/reference/schedule/make_schedule.py).
func TestLRReference(t *testing.T) {
	raw, err := os.ReadFile("../../tests/reference/schedule/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []struct {
			Schedule      string
			Base          float64
			Warmup, Total int
			LR            []float64
		}
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 {
		t.Fatal("no reference cases")
	}
	for _, c := range ref.Cases {
		s, err := ParseSchedule(c.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		// Exact, except that Go's math.Cos and C's cos may differ in the
		// last bit, which 1+cos magnifies near the end of a cosine.
		tol := 0.0
		if s == Cosine {
			tol = 4e-16 * c.Base
		}
		for step, want := range c.LR {
			got := LR(s, c.Base, step, c.Warmup, c.Total)
			if math.Abs(got-want) > tol {
				t.Errorf("%s base %g warmup %d total %d step %d: %.17g, torch %.17g",
					s, c.Base, c.Warmup, c.Total, step, got, want)
			}
		}
	}
}

func TestLRShape(t *testing.T) {
	cases := []struct {
		s                   Schedule
		step, warmup, total int
		want                float64
	}{
		{Constant, 0, 0, 10, 1},
		{Constant, 0, 4, 10, 0},
		{Constant, 2, 4, 10, 0.5},
		{Constant, 50, 4, 10, 1},
		{Linear, 0, 0, 10, 1},
		{Linear, 5, 0, 10, 0.5},
		{Linear, 10, 0, 10, 0},
		{Linear, 12, 0, 10, 0},
		{Linear, 3, 6, 10, 0.5},
		{Linear, 6, 6, 10, 1},
		{Cosine, 0, 0, 10, 1},
		{Cosine, 5, 0, 10, 0.5},
		{Cosine, 10, 0, 10, 0},
		{Cosine, 15, 0, 10, 0.5}, // Hugging Face's cosine rises after total
		{Cosine, 1, 2, 10, 0.5},
	}
	for _, c := range cases {
		if got := LR(c.s, 2, c.step, c.warmup, c.total); math.Abs(got-2*c.want) > 1e-15 {
			t.Errorf("LR(%s, 2, %d, %d, %d) = %v, want %v", c.s, c.step, c.warmup, c.total, got, 2*c.want)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	for in, want := range map[string]Schedule{
		"constant": Constant, " Linear ": Linear, "COSINE": Cosine, "constant_with_warmup": Constant,
	} {
		if got, err := ParseSchedule(in); err != nil || got != want {
			t.Errorf("ParseSchedule(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "cosine_with_restarts", "exp"} {
		if _, err := ParseSchedule(in); err == nil {
			t.Errorf("ParseSchedule(%q): no error", in)
		}
	}
}
