package presets

import "testing"

// TestPaperRanges: every preset of a kind keeps to the paper's ranges
// (DESIGN.md section 1): a learning rate of 5e-5 to 8e-5 with the MLP and
// 1e-3 to 5e-3 without, and names are unique and found.
func TestPaperRanges(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All {
		if seen[p.Name] {
			t.Errorf("two presets are called %q", p.Name)
		}
		seen[p.Name] = true
		if got, err := Find(p.Name); err != nil || got.Name != p.Name {
			t.Errorf("Find(%q) = %v, %v", p.Name, got.Name, err)
		}
		if p.MLP != (p.Projection > 0) {
			t.Errorf("%s: MLP %v with projection %d", p.Name, p.MLP, p.Projection)
		}
		lo, hi := 1e-3, 5e-3
		if p.MLP {
			lo, hi = 5e-5, 8e-5
		}
		if !(p.LR >= lo && p.LR <= hi) || p.PrefixLen < 1 || p.BatchSize < 1 || (p.Epochs < 1 && p.Steps < 1) {
			t.Errorf("%s: %+v is outside the paper's ranges", p.Name, p)
		}
	}
	for _, kind := range []string{Generation, Summarization, Classification} {
		for _, mlp := range []bool{false, true} {
			p, err := For(kind, mlp)
			if err != nil || p.Kind != kind || p.MLP != mlp {
				t.Errorf("For(%s, %v) = %+v, %v", kind, mlp, p, err)
			}
		}
	}
	if _, err := Find("nope"); err == nil {
		t.Errorf("Find accepted an unknown name")
	}
	if _, err := For("", false); err == nil {
		t.Errorf("For accepted no kind")
	}
}
