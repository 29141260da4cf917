package metrics

import (
	"fmt"
	"math"
	"strings"
)

// bleuOrder is BLEU-4's largest n-gram order.
const bleuOrder = 4

// BLEUStats are the sufficient statistics of corpus BLEU for one sentence,
// or, added up, for a corpus: hypothesis length, closest reference length,
// and for n = 1..4 the clipped n-gram matches and the hypothesis n-grams.
type BLEUStats struct {
	HypLen, RefLen int
	Correct, Total [bleuOrder]int
}

// Add adds o to s.
func (s *BLEUStats) Add(o BLEUStats) {
	s.HypLen += o.HypLen
	s.RefLen += o.RefLen
	for n := range bleuOrder {
		s.Correct[n] += o.Correct[n]
		s.Total[n] += o.Total[n]
	}
}

// BLEU is a corpus BLEU score with the details sacreBLEU prints.
type BLEU struct {
	Score      float64            // 0..100
	Precisions [bleuOrder]float64 // n-gram precisions in 0..100, smoothed
	BP         float64            // brevity penalty
	Ratio      float64            // HypLen / RefLen (0 without references)
	BLEUStats
}

// SentenceBLEU returns the BLEU statistics of hyp against refs. Both are
// tokenised with Tokenize13a; n-gram matches are clipped by the largest
// count in any one reference, and the reference length is the one closest
// to the hypothesis length, the shorter on ties. Empty references are
// dropped; at least one must remain.
func SentenceBLEU(hyp string, refs []string) (BLEUStats, error) {
	var s BLEUStats
	maxRef := map[string]int{}
	closest, diff := -1, -1
	h := Tokenize13a(hyp)
	for _, ref := range refs {
		if ref == "" {
			continue
		}
		r := Tokenize13a(ref)
		for g, c := range ngramCounts(r) {
			maxRef[g] = max(maxRef[g], c)
		}
		d := abs(len(h) - len(r))
		if diff == -1 || d < diff || (d == diff && len(r) < closest) {
			closest, diff = len(r), d
		}
	}
	if closest == -1 {
		return s, fmt.Errorf("metrics: hypothesis %q has no non-empty reference; give at least one", clip(hyp))
	}
	s.HypLen, s.RefLen = len(h), closest
	for g, c := range ngramCounts(h) {
		n := strings.Count(g, " ")
		s.Total[n] += c
		s.Correct[n] += min(c, maxRef[g])
	}
	return s, nil
}

// ngramCounts counts the 1..4-grams of tokens, each joined by single spaces
// (tokens hold no white space, so the joined form is unambiguous).
func ngramCounts(tokens []string) map[string]int {
	counts := map[string]int{}
	for n := 1; n <= bleuOrder; n++ {
		for i := 0; i+n <= len(tokens); i++ {
			counts[strings.Join(tokens[i:i+n], " ")]++
		}
	}
	return counts
}

// BLEUFromStats computes BLEU from corpus statistics as sacreBLEU's default
// does: "exp" smoothing (an order with n-grams but no match gets precision
// 100/(2^k·total), k counting such orders), no effective order (an order
// without any n-gram gives 0), and a score of 0 when nothing matches.
func BLEUFromStats(s BLEUStats) BLEU {
	b := BLEU{BLEUStats: s, BP: 1}
	if s.RefLen > 0 {
		b.Ratio = float64(s.HypLen) / float64(s.RefLen)
	}
	if s.HypLen < s.RefLen {
		b.BP = 0
		if s.HypLen > 0 {
			b.BP = math.Exp(1 - float64(s.RefLen)/float64(s.HypLen))
		}
	}
	if s.Correct == [bleuOrder]int{} {
		return b
	}
	smooth := 1.0
	for n := range bleuOrder {
		if s.Total[n] == 0 {
			break
		}
		if s.Correct[n] == 0 {
			smooth *= 2
			b.Precisions[n] = 100 / (smooth * float64(s.Total[n]))
		} else {
			b.Precisions[n] = 100 * float64(s.Correct[n]) / float64(s.Total[n])
		}
	}
	sum := 0.0
	for _, p := range b.Precisions {
		if p == 0 {
			sum += -9999999999 // sacreBLEU's floor for log(0)
		} else {
			sum += math.Log(p)
		}
	}
	b.Score = b.BP * math.Exp(sum/bleuOrder)
	return b
}

// CorpusBLEU scores hyps against refs, where refs[i] are the references of
// hyps[i] (any number, at least one non-empty). It also returns each
// sentence's statistics, for BootstrapBLEU.
func CorpusBLEU(hyps []string, refs [][]string) (BLEU, []BLEUStats, error) {
	if err := checkPairs(len(hyps), len(refs), "hypotheses", "reference lists"); err != nil {
		return BLEU{}, nil, err
	}
	stats := make([]BLEUStats, len(hyps))
	var total BLEUStats
	for i := range hyps {
		s, err := SentenceBLEU(hyps[i], refs[i])
		if err != nil {
			return BLEU{}, nil, fmt.Errorf("example %d: %w", i, err)
		}
		stats[i] = s
		total.Add(s)
	}
	return BLEUFromStats(total), stats, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// clip shortens s for an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}
