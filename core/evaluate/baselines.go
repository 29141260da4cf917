package evaluate

import (
	"fmt"
	"sort"

	"prefixtune/core/data"
)

// Labels returns the distinct completions of exs, sorted: the candidate
// labels of a classification task (`prefixtune eval --labels auto`).
func Labels(exs []data.Example) []string {
	seen := map[string]bool{}
	var out []string
	for _, ex := range exs {
		if !seen[ex.Completion] {
			seen[ex.Completion] = true
			out = append(out, ex.Completion)
		}
	}
	sort.Strings(out)
	return out
}

// FewShot draws k examples of exs (the training split) in a seeded order:
// the in-context examples of the few-shot baseline.
func FewShot(exs []data.Example, k int, seed uint64) ([]data.Example, error) {
	if k > len(exs) {
		return nil, fmt.Errorf("%d few-shot examples asked for, but the training data has only %d", k, len(exs))
	}
	order := data.Order(len(exs), true, seed, 0)
	shots := make([]data.Example, k)
	for i := range shots {
		shots[i] = exs[order[i]]
	}
	return shots, nil
}
