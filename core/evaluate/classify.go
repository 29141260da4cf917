package evaluate

import (
	"strings"

	"prefixtune/core/data"
	"prefixtune/core/metrics"
)

// classify scores every candidate label as the completion of every
// example and picks the most likely (the sum of its token log-likelihoods,
// end-of-text included), which needs no training: it works zero-shot.
func (e *evaluator) classify(r *Report, exs []data.Example) error {
	var cands []data.Example
	for _, ex := range exs {
		for _, l := range e.o.Labels {
			cands = append(cands, data.Example{Prompt: ex.Prompt, Completion: l})
		}
	}
	sums, _, err := e.rowLosses(e.tokenize(cands))
	if err != nil {
		return err
	}
	K := len(e.o.Labels)
	pred, gold := make([]string, len(exs)), make([]string, len(exs))
	correct := make([]float64, len(exs))
	for i, ex := range exs {
		scores := make([][]float64, K)
		for k := range scores {
			scores[k] = []float64{-sums[i*K+k]}
		}
		best, _, err := metrics.PickLabel(scores)
		if err != nil {
			return err
		}
		pred[i], gold[i] = strings.TrimSpace(e.o.Labels[best]), strings.TrimSpace(ex.Completion)
		if pred[i] == gold[i] {
			correct[i] = 1
		}
	}
	acc, err := metrics.BootstrapMean(correct, e.o.Bootstrap)
	if err != nil {
		return err
	}
	f1, err := metrics.Bootstrap(func(idx []int) float64 {
		p, g := make([]string, len(idx)), make([]string, len(idx))
		for j, i := range idx {
			p[j], g[j] = pred[i], gold[i]
		}
		f, _ := metrics.MacroF1(p, g)
		return f
	}, len(exs), e.o.Bootstrap)
	if err != nil {
		return err
	}
	r.Accuracy, r.MacroF1 = &acc, &f1
	return nil
}
