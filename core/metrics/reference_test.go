package metrics

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The reference numbers are written by tests/reference/metrics/make_expected.py
// (NLTK, scikit-learn, NumPy, PyTorch) and make_rouge.mjs (js-rouge).
var refDir = filepath.Join("..", "..", "tests", "reference", "metrics")

type textCase struct {
	Name string     `json:"name"`
	Hyps []string   `json:"hyps"`
	Refs [][]string `json:"refs"`
}

type bleuCase struct {
	Name       string     `json:"name"`
	Score      float64    `json:"score"`
	BP         float64    `json:"bp"`
	Precisions [4]float64 `json:"precisions"`
	HypLen     int        `json:"hyp_len"`
	RefLen     int        `json:"ref_len"`
	Correct    [4]int     `json:"correct"`
	Total      [4]int     `json:"total"`
	Tokens     []string   `json:"tokens"`
	Sentences  []struct {
		HypLen  int    `json:"hyp_len"`
		RefLen  int    `json:"ref_len"`
		Correct [4]int `json:"correct"`
		Total   [4]int `json:"total"`
	} `json:"sentences"`
}

type bootstrapCase struct {
	Name    string    `json:"name"`
	Level   float64   `json:"level"`
	Values  []float64 `json:"values"`
	Indices [][]int   `json:"indices"`
	Point   float64   `json:"point"`
	Lo      float64   `json:"lo"`
	Hi      float64   `json:"hi"`
}

type classCase struct {
	Name     string   `json:"name"`
	Pred     []string `json:"pred"`
	Gold     []string `json:"gold"`
	Accuracy float64  `json:"accuracy"`
	MacroF1  float64  `json:"macro_f1"`
}

type expectedFile struct {
	BLEU      []bleuCase `json:"bleu"`
	Tokenizer []struct {
		Text   string `json:"text"`
		Tokens string `json:"tokens"`
	} `json:"tokenizer_13a"`
	PythonWhitespace []rune `json:"python_whitespace"`
	RougeTokenChars  []struct {
		Code  rune   `json:"code"`
		Lower string `json:"lower"`
	} `json:"rouge_token_chars"`
	ExactMatch []struct {
		Pred   string `json:"pred"`
		Gold   string `json:"gold"`
		Exact  bool   `json:"exact"`
		Folded bool   `json:"folded"`
	} `json:"exact_match"`
	Classification []classCase `json:"classification"`
	PickLabel      []struct {
		TokenLogProbs [][]float64 `json:"token_logprobs"`
		Totals        []float64   `json:"totals"`
		Best          int         `json:"best"`
	} `json:"pick_label"`
	Regression struct {
		Preds    []string   `json:"preds"`
		Gold     []float64  `json:"gold"`
		Parsed   []*float64 `json:"parsed"`
		RMSE     float64    `json:"rmse"`
		MAE      float64    `json:"mae"`
		N        int        `json:"n"`
		Unparsed int        `json:"unparsed"`
	} `json:"regression"`
	Loss struct {
		Batches []struct {
			MeanLoss float64 `json:"mean_loss"`
			Tokens   int     `json:"tokens"`
		} `json:"batches"`
		MeanLoss   float64 `json:"mean_loss"`
		Perplexity float64 `json:"perplexity"`
	} `json:"loss"`
	Bootstrap []bootstrapCase `json:"bootstrap"`
}

type rougeFile struct {
	Cases []struct {
		Name      string  `json:"name"`
		MeanF     float64 `json:"mean_f"`
		Sentences []struct {
			Tokens []string `json:"tokens"`
			F      float64  `json:"f"`
			P      float64  `json:"p"`
			R      float64  `json:"r"`
		} `json:"sentences"`
	} `json:"cases"`
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refDir, name))
	if err != nil {
		t.Fatalf("reference file: %v (regenerate with the scripts in tests/reference/metrics)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func loadReference(t *testing.T) (expectedFile, []textCase) {
	t.Helper()
	var e expectedFile
	readJSON(t, "expected.json", &e)
	var in struct {
		TextCases []textCase `json:"text_cases"`
	}
	readJSON(t, "inputs.json", &in)
	if len(in.TextCases) != len(e.BLEU) {
		t.Fatalf("inputs.json has %d text cases, expected.json %d BLEU cases; regenerate both", len(in.TextCases), len(e.BLEU))
	}
	return e, in.TextCases
}

// near reports whether got is within 1e-9 relative of want (1e-12 absolute near 0).
func near(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Abs(want)+1e-12
}

func TestPythonWhitespace(t *testing.T) {
	e, _ := loadReference(t)
	want := map[rune]bool{}
	for _, r := range e.PythonWhitespace {
		want[r] = true
	}
	for r := rune(0); r <= 0x10ffff; r++ {
		if isPySpace(r) != want[r] {
			t.Errorf("isPySpace(%U) = %v, Python's str.isspace says %v", r, isPySpace(r), want[r])
		}
	}
}

func TestTokenize13aReference(t *testing.T) {
	e, cases := loadReference(t)
	for _, c := range e.Tokenizer {
		if got := strings.Join(Tokenize13a(c.Text), " "); got != c.Tokens {
			t.Errorf("Tokenize13a(%q)\n got %q\nwant %q", c.Text, got, c.Tokens)
		}
	}
	for i, c := range cases {
		for j, h := range c.Hyps {
			if got := strings.Join(Tokenize13a(h), " "); got != e.BLEU[i].Tokens[j] {
				t.Errorf("%s hyp %d: Tokenize13a(%q)\n got %q\nwant %q", c.Name, j, h, got, e.BLEU[i].Tokens[j])
			}
		}
	}
}

func TestCorpusBLEUReference(t *testing.T) {
	e, cases := loadReference(t)
	for i, c := range cases {
		want := e.BLEU[i]
		got, stats, err := CorpusBLEU(c.Hyps, c.Refs)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !near(got.Score, want.Score) || !near(got.BP, want.BP) {
			t.Errorf("%s: BLEU %.12g BP %.12g, want %.12g BP %.12g", c.Name, got.Score, got.BP, want.Score, want.BP)
		}
		for n := range 4 {
			if !near(got.Precisions[n], want.Precisions[n]) {
				t.Errorf("%s: precision %d = %.12g, want %.12g", c.Name, n+1, got.Precisions[n], want.Precisions[n])
			}
		}
		if got.HypLen != want.HypLen || got.RefLen != want.RefLen || got.Correct != want.Correct || got.Total != want.Total {
			t.Errorf("%s: stats %+v, want hyp %d ref %d correct %v total %v", c.Name, got.BLEUStats, want.HypLen, want.RefLen, want.Correct, want.Total)
		}
		for j, s := range want.Sentences {
			w := BLEUStats{HypLen: s.HypLen, RefLen: s.RefLen, Correct: s.Correct, Total: s.Total}
			if stats[j] != w {
				t.Errorf("%s sentence %d: %+v, want %+v", c.Name, j, stats[j], w)
			}
		}
	}
}

func TestRougeLReference(t *testing.T) {
	_, cases := loadReference(t)
	var r rougeFile
	readJSON(t, "rouge_expected.json", &r)
	if len(r.Cases) != len(cases) {
		t.Fatalf("rouge_expected.json has %d cases, inputs.json %d; rerun make_rouge.mjs", len(r.Cases), len(cases))
	}
	for i, c := range cases {
		want := r.Cases[i]
		mean, per, err := CorpusRougeL(c.Hyps, c.Refs)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !near(mean, 100*want.MeanF) {
			t.Errorf("%s: mean ROUGE-L F %.12g, want %.12g", c.Name, mean, 100*want.MeanF)
		}
		for j, s := range want.Sentences {
			if tok := RougeTokens(c.Hyps[j]); !(len(tok) == 0 && len(s.Tokens) == 0) && !reflect.DeepEqual(tok, s.Tokens) {
				t.Errorf("%s hyp %d: tokens %q, want %q", c.Name, j, tok, s.Tokens)
			}
			g := per[j]
			if !near(g.F, 100*s.F) || !near(g.Precision, 100*s.P) || !near(g.Recall, 100*s.R) {
				t.Errorf("%s hyp %d: P/R/F %.12g/%.12g/%.12g, want %.12g/%.12g/%.12g",
					c.Name, j, g.Precision, g.Recall, g.F, 100*s.P, 100*s.R, 100*s.F)
			}
		}
	}
}

// TestRougeTokensEveryRune checks every non-ASCII character between two
// letters against Python's str.lower: characters whose lowercase holds
// [a-z0-9] contribute it, every other one separates tokens.
func TestRougeTokensEveryRune(t *testing.T) {
	e, _ := loadReference(t)
	lower := map[rune]string{}
	for _, c := range e.RougeTokenChars {
		lower[c.Code] = c.Lower
	}
	for r := rune(0x80); r <= 0xe01ef; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		if r == 0x40000 { // planes 4..13 have no characters
			r = 0xe0000
		}
		want := []string{"a", "b"}
		if l, ok := lower[r]; ok {
			want = strings.Fields(strings.Map(func(c rune) rune {
				if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
					return c
				}
				return ' '
			}, "a"+l+"b"))
		}
		if got := RougeTokens("a" + string(r) + "b"); !reflect.DeepEqual(got, want) {
			t.Errorf("RougeTokens(a %U b) = %q, want %q", r, got, want)
		}
	}
}

func TestExactMatchReference(t *testing.T) {
	e, _ := loadReference(t)
	for _, c := range e.ExactMatch {
		if got := ExactMatch(c.Pred, c.Gold, MatchOptions{}); got != c.Exact {
			t.Errorf("ExactMatch(%q, %q) = %v, want %v", c.Pred, c.Gold, got, c.Exact)
		}
		if got := ExactMatch(c.Pred, c.Gold, MatchOptions{FoldCase: true}); got != c.Folded {
			t.Errorf("ExactMatch(%q, %q, FoldCase) = %v, want %v", c.Pred, c.Gold, got, c.Folded)
		}
	}
}

func TestClassificationReference(t *testing.T) {
	e, _ := loadReference(t)
	for _, c := range e.Classification {
		acc, err := Accuracy(c.Pred, c.Gold)
		if err != nil {
			t.Fatal(err)
		}
		f1, err := MacroF1(c.Pred, c.Gold)
		if err != nil {
			t.Fatal(err)
		}
		if !near(acc, c.Accuracy) || !near(f1, c.MacroF1) {
			t.Errorf("%s: accuracy %.12g macro-F1 %.12g, want %.12g %.12g", c.Name, acc, f1, c.Accuracy, c.MacroF1)
		}
	}
	for k, c := range e.PickLabel {
		best, totals, err := PickLabel(c.TokenLogProbs)
		if err != nil {
			t.Fatal(err)
		}
		if best != c.Best {
			t.Errorf("case %d: PickLabel = %d, want %d (totals %v)", k, best, c.Best, totals)
		}
		for i := range totals {
			if !near(totals[i], c.Totals[i]) {
				t.Errorf("case %d: total %d = %.12g, want %.12g", k, i, totals[i], c.Totals[i])
			}
		}
	}
}

func TestRegressionReference(t *testing.T) {
	e, _ := loadReference(t)
	c := e.Regression
	for i, p := range c.Preds {
		v, ok := ParseNumber(p)
		if ok != (c.Parsed[i] != nil) || (ok && v != *c.Parsed[i]) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", p, v, ok, c.Parsed[i])
		}
	}
	r, err := Regress(c.Preds, c.Gold)
	if err != nil {
		t.Fatal(err)
	}
	if !near(r.RMSE, c.RMSE) || !near(r.MAE, c.MAE) || r.N != c.N || r.Unparsed != c.Unparsed || len(r.Errors) != r.N {
		t.Errorf("Regress = RMSE %.12g MAE %.12g N %d unparsed %d, want %.12g %.12g %d %d",
			r.RMSE, r.MAE, r.N, r.Unparsed, c.RMSE, c.MAE, c.N, c.Unparsed)
	}
}

func TestLossReference(t *testing.T) {
	e, _ := loadReference(t)
	var m LossMeter
	for _, b := range e.Loss.Batches {
		if err := m.Add(b.MeanLoss, b.Tokens); err != nil {
			t.Fatal(err)
		}
	}
	mean, err := m.Mean()
	if err != nil {
		t.Fatal(err)
	}
	if !near(mean, e.Loss.MeanLoss) || !near(Perplexity(mean), e.Loss.Perplexity) {
		t.Errorf("mean loss %.12g perplexity %.12g, want %.12g %.12g", mean, Perplexity(mean), e.Loss.MeanLoss, e.Loss.Perplexity)
	}
}

// TestBootstrapReference feeds the reference's own resample indices to the
// interval code, so that the statistic on each resample and the percentile
// interpolation are checked against NumPy, NLTK and scikit-learn.
func TestBootstrapReference(t *testing.T) {
	e, cases := loadReference(t)
	_, bleuStats, err := CorpusBLEU(cases[0].Hyps, cases[0].Refs)
	if err != nil {
		t.Fatal(err)
	}
	cls := e.Classification[0]
	for _, c := range e.Bootstrap {
		var stat func(idx []int) float64
		n := 0
		switch c.Name {
		case "mean":
			n = len(c.Values)
			stat = func(idx []int) float64 {
				s := 0.0
				for _, i := range idx {
					s += c.Values[i]
				}
				return s / float64(len(idx))
			}
		case "bleu_e2e":
			n = len(bleuStats)
			stat = func(idx []int) float64 {
				var s BLEUStats
				for _, i := range idx {
					s.Add(bleuStats[i])
				}
				return BLEUFromStats(s).Score
			}
		case "accuracy", "macro_f1":
			n = len(cls.Pred)
			stat = func(idx []int) float64 {
				p, g := make([]string, len(idx)), make([]string, len(idx))
				for k, i := range idx {
					p[k], g[k] = cls.Pred[i], cls.Gold[i]
				}
				f := Accuracy
				if c.Name == "macro_f1" {
					f = MacroF1
				}
				v, err := f(p, g)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
		default:
			t.Fatalf("unknown bootstrap case %q", c.Name)
		}
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		draw := func(b int, idx []int) { copy(idx, c.Indices[b]) }
		lo, hi, err := percentileInterval(stat, n, len(c.Indices), draw, c.Level)
		if err != nil {
			t.Fatal(err)
		}
		if point := stat(all); !near(point, c.Point) || !near(lo, c.Lo) || !near(hi, c.Hi) {
			t.Errorf("%s at %v: %.12g [%.12g, %.12g], want %.12g [%.12g, %.12g]", c.Name, c.Level, point, lo, hi, c.Point, c.Lo, c.Hi)
		}
	}
}
