package metrics

import (
	"fmt"
	"strings"
)

// MatchOptions says how ExactMatch normalises before it compares.
type MatchOptions struct {
	// FoldCase compares with Unicode simple case folding (strings.EqualFold).
	FoldCase bool
}

// ExactMatch reports whether pred equals gold once white space at both ends
// is trimmed (and case folded, if asked).
func ExactMatch(pred, gold string, opt MatchOptions) bool {
	p, g := pyStrip(pred), pyStrip(gold)
	if opt.FoldCase {
		return strings.EqualFold(p, g)
	}
	return p == g
}

// ExactMatchRate is the fraction of predictions that exactly match their
// gold answer.
func ExactMatchRate(preds, golds []string, opt MatchOptions) (float64, error) {
	if err := checkPairs(len(preds), len(golds), "predictions", "gold answers"); err != nil {
		return 0, err
	}
	hits := 0
	for i := range preds {
		if ExactMatch(preds[i], golds[i], opt) {
			hits++
		}
	}
	return float64(hits) / float64(len(preds)), nil
}

// checkPairs rejects empty or misaligned prediction/gold lists.
func checkPairs(np, ng int, what, gold string) error {
	if np != ng {
		return fmt.Errorf("metrics: %d %s but %d %s; give one per example", np, what, ng, gold)
	}
	if np == 0 {
		return fmt.Errorf("metrics: no %s to score", what)
	}
	return nil
}
