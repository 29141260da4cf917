package metrics

import (
	"fmt"
	"math"
)

// Accuracy is the fraction of predicted labels equal to the gold labels.
// Labels are compared as strings, exactly.
func Accuracy(pred, gold []string) (float64, error) {
	if err := checkPairs(len(pred), len(gold), "predicted labels", "gold labels"); err != nil {
		return 0, err
	}
	hits := 0
	for i := range pred {
		if pred[i] == gold[i] {
			hits++
		}
	}
	return float64(hits) / float64(len(pred)), nil
}

// MacroF1 is the unweighted mean of the per-label F1 over every label that
// occurs in pred or gold (scikit-learn's f1_score with average="macro").
// A label with no true positive has F1 0, including one that is predicted
// but never gold, or gold but never predicted.
func MacroF1(pred, gold []string) (float64, error) {
	if err := checkPairs(len(pred), len(gold), "predicted labels", "gold labels"); err != nil {
		return 0, err
	}
	type counts struct{ tp, fp, fn int }
	per := map[string]*counts{}
	var labels []string // first-seen order, so that the sum is reproducible
	get := func(l string) *counts {
		c := per[l]
		if c == nil {
			c = &counts{}
			per[l] = c
			labels = append(labels, l)
		}
		return c
	}
	for i := range pred {
		if pred[i] == gold[i] {
			get(pred[i]).tp++
			continue
		}
		get(pred[i]).fp++
		get(gold[i]).fn++
	}
	sum := 0.0
	for _, l := range labels {
		if c := per[l]; c.tp > 0 {
			sum += 2 * float64(c.tp) / float64(2*c.tp+c.fp+c.fn)
		}
	}
	return sum / float64(len(per)), nil
}

// PickLabel chooses among candidate labels by likelihood, which needs no
// training (zero-shot). tokenLogProbs[i] holds the log-probabilities of the
// tokens of candidate i given the prompt; the candidate with the highest
// total wins, the first one on ties. It returns the winner's index and
// every candidate's total.
func PickLabel(tokenLogProbs [][]float64) (best int, totals []float64, err error) {
	if len(tokenLogProbs) == 0 {
		return 0, nil, fmt.Errorf("metrics: no candidate labels to choose from")
	}
	totals = make([]float64, len(tokenLogProbs))
	for i, lps := range tokenLogProbs {
		if len(lps) == 0 {
			return 0, nil, fmt.Errorf("metrics: candidate %d has no tokens; every label must encode to at least one token", i)
		}
		for _, lp := range lps {
			if math.IsNaN(lp) || lp > 0 {
				return 0, nil, fmt.Errorf("metrics: candidate %d has log-probability %v; log-probabilities are at most 0", i, lp)
			}
			totals[i] += lp
		}
		if totals[i] > totals[best] {
			best = i
		}
	}
	return best, totals, nil
}
