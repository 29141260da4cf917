package metrics

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestTokenize13aSacreBLEU covers what sacreBLEU's 13a tokenizer does and
// NLTK's NIST tokenizer (the reference for the other cases) does not: line
// ends, and unescaping &amp; before &lt; and &gt;.
func TestTokenize13aSacreBLEU(t *testing.T) {
	cases := []struct{ in, want string }{
		{"well-\nknown", "wellknown"},
		{"two\nlines", "two lines"},
		{"ends with a dash-\n", "ends with a dash-"},
		{"&amp;lt;b&amp;gt;", "< b >"},
		{"&amp;quot;", "& quot ;"}, // &quot; is unescaped before &amp;
		{"<skipped>", ""},
	}
	for _, c := range cases {
		if got := strings.Join(Tokenize13a(c.in), " "); got != c.want {
			t.Errorf("Tokenize13a(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBLEUProperties(t *testing.T) {
	b, _, err := CorpusBLEU([]string{"The Mill is a pub.", "Yes"}, [][]string{{"The Mill is a pub."}, {"Yes"}})
	if err != nil {
		t.Fatal(err)
	}
	// "Yes" has no 2-, 3- or 4-grams, but the corpus has: every order matches fully.
	if !near(b.Score, 100) || b.BP != 1 || b.Ratio != 1 {
		t.Errorf("identical corpus: %+v, want 100", b)
	}
	b = BLEUFromStats(BLEUStats{})
	if b.Score != 0 || b.BP != 1 || b.Ratio != 0 {
		t.Errorf("empty statistics: %+v", b)
	}
}

func TestExactMatchFolding(t *testing.T) {
	fold := MatchOptions{FoldCase: true}
	if !ExactMatch(" Ωmega\t", "ωMEGA", fold) || ExactMatch("Ωmega", "ωMEGA", MatchOptions{}) {
		t.Error("simple case folding of Greek")
	}
	if ExactMatch("Straße", "STRASSE", fold) {
		t.Error("ß folds to ss only under full case folding, which ExactMatch does not do")
	}
	rate, err := ExactMatchRate([]string{"a", "B ", "c"}, []string{"a", "b", "d"}, fold)
	if err != nil || rate != 2.0/3 {
		t.Errorf("ExactMatchRate = %v, %v", rate, err)
	}
}

func TestErrors(t *testing.T) {
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
		}
	}
	_, _, err := CorpusBLEU([]string{"a"}, nil)
	check("BLEU with fewer reference lists", err)
	_, _, err = CorpusBLEU(nil, nil)
	check("BLEU of no hypotheses", err)
	_, _, err = CorpusBLEU([]string{"a"}, [][]string{{"", ""}})
	check("BLEU with only empty references", err)
	_, _, err = CorpusRougeL([]string{"a"}, [][]string{{}})
	check("ROUGE without references", err)
	_, err = ExactMatchRate([]string{"a"}, []string{"a", "b"}, MatchOptions{})
	check("exact match misaligned", err)
	_, err = Accuracy(nil, nil)
	check("accuracy of nothing", err)
	_, err = MacroF1([]string{"a"}, nil)
	check("macro-F1 misaligned", err)
	_, _, err = PickLabel(nil)
	check("no candidates", err)
	_, _, err = PickLabel([][]float64{{-1}, {}})
	check("candidate without tokens", err)
	_, _, err = PickLabel([][]float64{{math.NaN()}})
	check("NaN log-probability", err)
	_, _, err = PickLabel([][]float64{{0.5}})
	check("positive log-probability", err)
	r, err := Regress([]string{"none", "nothing"}, []float64{1, 2})
	check("regression without numbers", err)
	if r.Unparsed != 2 || r.N != 0 {
		t.Errorf("regression without numbers reports %+v", r)
	}
	_, err = Regress([]string{"1"}, []float64{math.Inf(1)})
	check("infinite gold value", err)
	var m LossMeter
	check("negative token count", m.Add(1, -1))
	check("NaN loss", m.Add(math.NaN(), 3))
	check("negative loss", m.Add(-0.5, 3))
	_, err = m.Mean()
	check("mean of no tokens", err)
	if err := m.Add(math.NaN(), 0); err != nil || m.Tokens() != 0 {
		t.Errorf("a batch without targets adds nothing: %v, %d tokens", err, m.Tokens())
	}
	mean := func(idx []int) float64 { return float64(len(idx)) }
	_, err = Bootstrap(mean, 0, DefaultBootstrap)
	check("bootstrap of no examples", err)
	_, err = Bootstrap(mean, 3, BootstrapConfig{Resamples: 1, Level: 0.95})
	check("one resample", err)
	_, err = Bootstrap(mean, 3, BootstrapConfig{Resamples: 10, Level: 1})
	check("level 1", err)
	_, err = Bootstrap(func([]int) float64 { return math.NaN() }, 3, DefaultBootstrap)
	check("NaN statistic", err)
}

func TestBootstrapSeeded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, 400)
	for i := range values {
		values[i] = 3 + 2*rng.NormFloat64()
	}
	a, err := BootstrapMean(values, DefaultBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BootstrapMean(values, DefaultBootstrap)
	if a != b {
		t.Errorf("same seed, different intervals: %+v %+v", a, b)
	}
	other := DefaultBootstrap
	other.Seed = 2
	if c, _ := BootstrapMean(values, other); c.Lo == a.Lo && c.Hi == a.Hi {
		t.Errorf("seeds 1 and 2 give the same interval %+v", c)
	}
	sum, sq := 0.0, 0.0
	for _, v := range values {
		sum += v
	}
	mean := sum / float64(len(values))
	for _, v := range values {
		sq += (v - mean) * (v - mean)
	}
	se := math.Sqrt(sq/float64(len(values)-1)) / math.Sqrt(float64(len(values)))
	if math.Abs(a.Point-mean) > 1e-12 || a.Lo >= a.Point || a.Hi <= a.Point || a.Level != 0.95 || a.Resamples != 1000 {
		t.Errorf("interval %+v around mean %v", a, mean)
	}
	// The percentile interval of a mean is close to the normal one, mean ± 1.96 se.
	if half := (a.Hi - a.Lo) / 2; math.Abs(half-1.96*se) > 0.15*1.96*se {
		t.Errorf("half-width %v, normal theory says %v", half, 1.96*se)
	}
}

func TestBootstrapBLEU(t *testing.T) {
	hyps := []string{"the pub is near the river", "a cheap Italian place", "Zizzi is a pub in the centre", "The Mill serves fast food"}
	refs := [][]string{{"the pub is by the river"}, {"a cheap Italian restaurant"}, {"Zizzi is a pub in the city centre"}, {"The Mill serves French food"}}
	b, stats, err := CorpusBLEU(hyps, refs)
	if err != nil {
		t.Fatal(err)
	}
	iv, err := BootstrapBLEU(stats, BootstrapConfig{Resamples: 200, Level: 0.9, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if iv.Point != b.Score || iv.Lo > iv.Point || iv.Hi < iv.Point || iv.Lo < 0 || iv.Hi > 100 {
		t.Errorf("BLEU %v, interval %+v", b.Score, iv)
	}
}

func TestQuantileEnds(t *testing.T) {
	x := []float64{1, 2, 4}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {1, 4}, {0.5, 2}, {0.75, 3}, {0.25, 1.5}} {
		if got := quantile(x, c.q); got != c.want {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
}
