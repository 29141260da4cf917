package metrics

import (
	"fmt"
	"strings"
)

// Rouge is a ROUGE-L score: LCS/|hyp|, LCS/|ref| and their harmonic mean,
// each on 0..100.
type Rouge struct {
	Precision, Recall, F float64
}

// RougeTokens tokenises text as rouge-score's default tokenizer does:
// Python's str.lower, then every maximal run of [a-z0-9] is a token.
// Only two non-ASCII characters lowercase to something in [a-z0-9]: the
// Kelvin sign U+212A (to "k") and U+0130 "İ" (to "i" and a combining dot,
// which ends the token).
func RougeTokens(text string) []string {
	var tokens []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			tokens = append(tokens, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == '\u212a':
			b.WriteByte('k')
		case r == '\u0130':
			b.WriteByte('i')
			flush()
		default:
			flush()
		}
	}
	flush()
	return tokens
}

// RougeL scores hyp against one reference. A side without tokens scores 0.
func RougeL(hyp, ref string) Rouge {
	h, r := RougeTokens(hyp), RougeTokens(ref)
	if len(h) == 0 || len(r) == 0 {
		return Rouge{}
	}
	lcs := float64(lcsLen(h, r))
	p, rec := lcs/float64(len(h)), lcs/float64(len(r))
	f := 0.0
	if p+rec > 0 {
		f = 2 * p * rec / (p + rec)
	}
	return Rouge{Precision: 100 * p, Recall: 100 * rec, F: 100 * f}
}

// lcsLen is the length of a longest common subsequence of a and b.
func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(prev[j+1], cur[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// RougeLMulti scores hyp against several references and keeps the score
// with the highest F (the first on ties), as rouge-score's score_multi does.
// Empty references are dropped; at least one must remain.
func RougeLMulti(hyp string, refs []string) (Rouge, error) {
	best, found := Rouge{}, false
	for _, ref := range refs {
		if ref == "" {
			continue
		}
		s := RougeL(hyp, ref)
		if !found || s.F > best.F {
			best, found = s, true
		}
	}
	if !found {
		return Rouge{}, fmt.Errorf("metrics: hypothesis %q has no non-empty reference; give at least one", clip(hyp))
	}
	return best, nil
}

// CorpusRougeL returns the mean ROUGE-L F over the corpus and every
// sentence's score (refs[i] are the references of hyps[i]).
func CorpusRougeL(hyps []string, refs [][]string) (float64, []Rouge, error) {
	if err := checkPairs(len(hyps), len(refs), "hypotheses", "reference lists"); err != nil {
		return 0, nil, err
	}
	per := make([]Rouge, len(hyps))
	sum := 0.0
	for i := range hyps {
		s, err := RougeLMulti(hyps[i], refs[i])
		if err != nil {
			return 0, nil, fmt.Errorf("example %d: %w", i, err)
		}
		per[i] = s
		sum += s.F
	}
	return sum / float64(len(hyps)), per, nil
}
