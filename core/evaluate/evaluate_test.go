package evaluate

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"prefixtune/tests/reference/gpt2"
	"strings"
	"testing"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/metrics"
	"prefixtune/core/model"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
)

var ref = string(gpt2.Fixtures)

type fixture struct {
	m   *model.Model
	tok *tokenizer.Tokenizer
	pre model.Prefix
	exs []data.Example
}

func load(t *testing.T) fixture {
	t.Helper()
	m, err := model.Load(tensor.NewCPU(), filepath.Join(ref, "model"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(filepath.Join(ref, "model"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, rows, err := adapter.Read(filepath.Join(ref, "init_adapter"))
	if err != nil {
		t.Fatal(err)
	}
	pre := model.Prefix{Rows: m.Dev.Alloc(len(rows)), P: cfg.NumVirtualTokens}
	m.Dev.Upload(pre.Rows, rows)
	exs, err := data.Read(filepath.Join(ref, "data.jsonl"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{m, tok, pre, exs}
}

// TestLossMatchesPyTorch: the pooled target-token loss with and without the
// prefix, and batches of 4 with padding across them.
func TestLossMatchesPyTorch(t *testing.T) {
	f := load(t)
	for _, c := range []struct {
		key string
		pre model.Prefix
	}{{"eval.loss", f.pre}, {"eval.base.loss", model.Prefix{}}} {
		r, err := Run("x", f.m, c.pre, f.tok, f.exs, Options{BatchSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		var want float64
		gpt2.Fixtures.Expected(t, c.key, &want)
		if math.Abs(r.Loss.Point-want) > 1e-4*want {
			t.Errorf("%s = %.7g, PyTorch %.7g", c.key, r.Loss.Point, want)
		}
		if !(r.Loss.Lo <= r.Loss.Point && r.Loss.Point <= r.Loss.Hi) || r.Tokens != 50 {
			t.Errorf("%s: interval %+v, %d tokens (want 50)", c.key, r.Loss, r.Tokens)
		}
	}
}

// TestGenerationMatchesPyTorch: the greedy output for row 0's prompt is
// PyTorch's, and BLEU/ROUGE-L/exact match are the metrics of those outputs.
func TestGenerationMatchesPyTorch(t *testing.T) {
	f := load(t)
	r, err := Run("prefix", f.m, f.pre, f.tok, f.exs, Options{Generate: true, MaxNew: 8, Samples: 6})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	gpt2.Fixtures.Expected(t, "generate.ids", &ids)
	if want := strings.TrimSpace(f.tok.Decode(ids)); r.Samples[0].Output != want {
		t.Errorf("output for row 0 %q, PyTorch's greedy ids decode to %q", r.Samples[0].Output, want)
	}
	var outs []string
	var refs [][]string
	for _, s := range r.Samples {
		outs, refs = append(outs, s.Output), append(refs, s.References)
	}
	bleu, _, err := metrics.CorpusBLEU(outs, refs)
	if err != nil {
		t.Fatal(err)
	}
	if r.Prompts != 6 || r.BLEU == nil || r.BLEU.Point != bleu.Score {
		t.Errorf("%d prompts, BLEU %+v, want %g over the 6 samples", r.Prompts, r.BLEU, bleu.Score)
	}
}

// TestClassifyMatchesSingleRows: the label chosen from padded batches of
// candidates is the one with the lowest loss scored one sequence at a time.
func TestClassifyMatchesSingleRows(t *testing.T) {
	f := load(t)
	labels := []string{" Aromi serves Chinese food.", " Cotto is good.", " It is cheap."}
	exs := f.exs[:4]
	for i := range exs {
		exs[i].Completion = labels[i%3]
	}
	r, err := Run("x", f.m, f.pre, f.tok, exs, Options{BatchSize: 5, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	e := &evaluator{m: f.m, pre: f.pre, tok: f.tok, o: Options{BatchSize: 1}}
	correct := 0
	for _, ex := range exs {
		best, bestLoss := "", math.Inf(1)
		for _, l := range labels {
			sums, _, err := e.rowLosses(e.tokenize([]data.Example{{Prompt: ex.Prompt, Completion: l}}))
			if err != nil {
				t.Fatal(err)
			}
			if sums[0] < bestLoss {
				best, bestLoss = l, sums[0]
			}
		}
		if best == ex.Completion {
			correct++
		}
	}
	if want := float64(correct) / 4; r.Accuracy.Point != want {
		t.Errorf("accuracy %g from batches, %g from single rows", r.Accuracy.Point, want)
	}
}

// TestRowLossesMatchSingleRows: sequences of several lengths batched
// together have the losses they have scored alone.
func TestRowLossesMatchSingleRows(t *testing.T) {
	f := load(t)
	batched := &evaluator{m: f.m, pre: f.pre, tok: f.tok, o: Options{BatchSize: 3}}
	seqs := batched.tokenize(f.exs)
	sums, ns, err := batched.rowLosses(seqs)
	if err != nil {
		t.Fatal(err)
	}
	alone := &evaluator{m: f.m, pre: f.pre, tok: f.tok, o: Options{BatchSize: 1}}
	lengths := map[int]bool{}
	for i, s := range seqs {
		lengths[len(s.Tokens)] = true
		want, wn, err := alone.rowLosses([]data.Sequence{s})
		if err != nil {
			t.Fatal(err)
		}
		if ns[i] != wn[0] || math.Abs(sums[i]-want[0]) > 1e-5*math.Abs(want[0]) {
			t.Errorf("sequence %d: %d targets, loss sum %g in batches; %d, %g alone", i, ns[i], sums[i], wn[0], want[0])
		}
	}
	if len(lengths) < 2 {
		t.Fatalf("the fixture's sequences all have one length: no batch is padded")
	}
}

// TestFewShotPrompt: shots are written before the prompt and make it longer.
func TestFewShotPrompt(t *testing.T) {
	f := load(t)
	zero, err := Run("zero-shot", f.m, model.Prefix{}, f.tok, f.exs[2:], Options{})
	if err != nil {
		t.Fatal(err)
	}
	few, err := Run("2-shot", f.m, model.Prefix{}, f.tok, f.exs[2:], Options{Shots: f.exs[:2]})
	if err != nil {
		t.Fatal(err)
	}
	if few.Tokens != zero.Tokens || few.Loss.Point == zero.Loss.Point {
		t.Errorf("few-shot scored %d tokens (loss %g), zero-shot %d (loss %g): want the same targets, another loss", few.Tokens, few.Loss.Point, zero.Tokens, zero.Loss.Point)
	}
	// A sequence length the shots do not fit in: they lose their beginning,
	// never the example's targets.
	zero20, err := Run("zero-shot", f.m, model.Prefix{}, f.tok, f.exs[2:], Options{SeqLen: 20})
	if err != nil {
		t.Fatal(err)
	}
	few20, err := Run("2-shot", f.m, model.Prefix{}, f.tok, f.exs[2:], Options{SeqLen: 20, Shots: f.exs[:2]})
	if err != nil {
		t.Fatal(err)
	}
	if few20.Tokens != zero20.Tokens {
		t.Errorf("with 20 tokens a sequence, 2-shot scored %d tokens, zero-shot %d", few20.Tokens, zero20.Tokens)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, "Baselines", []Report{zero, few}, [][2]string{{"data", "data.jsonl"}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| metric | zero-shot | 2-shot |", "| loss |", "- data: data.jsonl"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, md.String())
		}
	}
}

// TestProgress: Run reports every batch and prompt, up to the total of
// Work, and stops at the first error Progress returns.
func TestProgress(t *testing.T) {
	f := load(t)
	o := Options{BatchSize: 4, Generate: true, MaxNew: 2, Labels: Labels(f.exs[:3])}
	var calls []int
	o.Progress = func(done, total int) error {
		if total != Work(len(f.exs), 6, o) {
			t.Errorf("total %d, Work says %d", total, Work(len(f.exs), 6, o))
		}
		calls = append(calls, done)
		return nil
	}
	if _, err := Run("x", f.m, f.pre, f.tok, f.exs, o); err != nil {
		t.Fatal(err)
	}
	// 6 examples and prompts, 3 labels, batches of 4: 2 loss batches, 5
	// batches of the 18 candidates, 6 prompts.
	if want := 2 + 5 + 6; len(calls) != want || calls[len(calls)-1] != want || Work(len(f.exs), 6, o) != want {
		t.Errorf("progress %v, want 1..%d", calls, want)
	}
	stop := fmt.Errorf("stop")
	o.Progress = func(done, _ int) error {
		if done == 3 {
			return stop
		}
		return nil
	}
	if _, err := Run("x", f.m, f.pre, f.tok, f.exs, o); err != stop {
		t.Errorf("Run went on after Progress failed: %v", err)
	}
}

// TestShotsAfterBOS: with a tokenizer that starts texts with BOS (Llama-2's
// <s>), the few-shot block goes after it, and stays after it when cut.
func TestShotsAfterBOS(t *testing.T) {
	tok, err := tokenizer.Load(filepath.Join(ref, "..", "tokenizer", "llama2_tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	ex := data.Example{Prompt: "word: sun\ndefinition:", Completion: " a star"}
	shots := "word: moon\ndefinition: a satellite\n\n"
	block := tok.Encode(shots)
	for _, T := range []int{0, 18} {
		e := &evaluator{tok: tok, o: Options{SeqLen: T}, shots: shots}
		s := e.tokenize([]data.Example{ex})[0]
		alone := data.Tokenize(ex, tok, T)
		keep := len(block)
		if T > 0 {
			keep = T - len(alone.Tokens)
			if keep <= 0 || keep >= len(block) {
				t.Fatalf("seq len %d keeps %d of the %d shot tokens: pick one that cuts the block", T, keep, len(block))
			}
		}
		want := append([]int32{1}, toInt32(block[len(block)-keep:])...)
		want = append(want, alone.Tokens[1:]...)
		if fmt.Sprint(s.Tokens) != fmt.Sprint(want) || len(s.Targets) != len(want) || s.Targets[len(want)-2] != alone.Targets[len(alone.Targets)-2] {
			t.Errorf("seq len %d: tokens %v targets %v, want <s>, the shots' last %d tokens, then %v", T, s.Tokens, s.Targets, keep, alone.Tokens[1:])
		}
	}
}

func toInt32(ids []int) []int32 {
	out := make([]int32, len(ids))
	for i, id := range ids {
		out[i] = int32(id)
	}
	return out
}
