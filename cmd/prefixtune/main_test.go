package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"prefixtune/tests/reference/fixture"
	"prefixtune/tests/reference/gpt2"
	"strconv"
	"strings"
	"testing"

	"prefixtune/core/adapter"
	"prefixtune/core/tokenizer"
	"prefixtune/core/tune"
)

// ref holds the PyTorch fixtures of tests/reference/gpt2.
var ref = string(gpt2.Fixtures)

func runCmd(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(args, strings.NewReader(stdin), &out, &errOut); err != nil {
		t.Fatalf("prefixtune %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// TestTrainMatchesPyTorch runs the exact command the fixture script
// reproduced in PyTorch and compares every step and the adapter.
func TestTrainMatchesPyTorch(t *testing.T) {
	checkTrainMatchesPyTorch(t, gpt2.Fixtures, "1.0", 64, 4)
}

// checkTrainMatchesPyTorch runs prefixtune train as the fixture script of
// set trained in PyTorch (gpt2's data, set's model and initial adapter, ten
// steps, clip) and compares every logged step with set's train.losses, lrs
// and n_tokens, the adapter config with tokenDim and heads, and the adapter
// with train.final.
func checkTrainMatchesPyTorch(t *testing.T, set fixture.Set, clip string, tokenDim, heads int) {
	t.Helper()
	out := t.TempDir()
	log := runCmd(t, "", "train", "--model", set.Path("model"), "--data", filepath.Join(ref, "data.jsonl"),
		"--prefix-len", "5", "--init", "adapter:"+set.Path("init_adapter"), "--lr", "0.01",
		"--schedule", "linear", "--warmup", "2", "--steps", "10", "--batch-size", "2", "--seq-len", "16",
		"--weight-decay", "0.01", "--clip", clip, "--no-shuffle", "--log-json", "--out", out)
	var losses, lrs []float64
	var tokens []int
	set.Expected(t, "train.losses", &losses)
	set.Expected(t, "train.lrs", &lrs)
	set.Expected(t, "train.n_tokens", &tokens)
	sc := bufio.NewScanner(strings.NewReader(log))
	step := 0
	for ; sc.Scan(); step++ {
		var s tune.Step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("line %d of --log-json is not JSON: %v", step+1, err)
		}
		if s.Step != step+1 || !fixture.Near(s.Loss, losses[step]) || !fixture.Near(s.LR, lrs[step]) || s.Tokens != tokens[step] {
			t.Errorf("step %+v, PyTorch loss %.7g lr %g tokens %d", s, losses[step], lrs[step], tokens[step])
		}
	}
	if step != 10 {
		t.Fatalf("%d steps logged, want 10", step)
	}
	cfg, rows, err := adapter.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NumVirtualTokens != 5 || cfg.TokenDim != tokenDim || cfg.NumLayers != 2 || cfg.NumAttentionHeads != heads {
		t.Errorf("adapter config %+v", cfg)
	}
	want := set.Tensor(t, "train.final")
	for i := range want {
		if !fixture.Near(float64(rows[i]), float64(want[i])) {
			t.Fatalf("adapter value %d = %g, PyTorch %g", i, rows[i], want[i])
		}
	}
}

func TestEvalMatchesPyTorch(t *testing.T) {
	for _, c := range []struct{ key, adapter string }{{"eval", filepath.Join(ref, "init_adapter")}, {"eval.base", ""}} {
		args := []string{"eval", "--model", filepath.Join(ref, "model"), "--data", filepath.Join(ref, "data.jsonl"), "--json"}
		if c.adapter != "" {
			args = append(args, "--adapter", c.adapter)
		}
		var res struct{ Loss, Perplexity float64 }
		if err := json.Unmarshal([]byte(runCmd(t, "", args...)), &res); err != nil {
			t.Fatal(err)
		}
		var loss, ppl float64
		gpt2.Fixtures.Expected(t, c.key+".loss", &loss)
		gpt2.Fixtures.Expected(t, c.key+".perplexity", &ppl)
		if !fixture.Near(res.Loss, loss) || !fixture.Near(res.Perplexity, ppl) {
			t.Errorf("%s: loss %.7g perplexity %.7g, PyTorch %.7g %.7g", c.key, res.Loss, res.Perplexity, loss, ppl)
		}
	}
}

func TestTokenizeMatchesFixture(t *testing.T) {
	var rows []struct {
		Prompt     []int `json:"prompt"`
		Completion []int `json:"completion"`
	}
	b, err := os.ReadFile(filepath.Join(ref, "data_tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(ref, "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var ex struct{ Prompt, Completion string }
		if err := json.Unmarshal([]byte(l), &ex); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ex.Prompt, ex.Completion)
	}
	got := strings.Split(strings.TrimSpace(runCmd(t, strings.Join(lines, "\n")+"\n", "tokenize", "--tokenizer", filepath.Join(ref, "model"))), "\n")
	for i, r := range rows {
		for j, want := range [][]int{r.Prompt, r.Completion} {
			w, _ := json.Marshal(want)
			if got[2*i+j] != string(w) {
				t.Errorf("line %d: ids %s, reference %s", 2*i+j+1, got[2*i+j], w)
			}
		}
	}
}

// TestGenerateGreedy compares the streamed text of the cached generation
// with PyTorch's greedy ids (recomputed without a cache) for row 0's prompt.
func TestGenerateGreedy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(ref, "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var row0 struct{ Prompt string }
	if err := json.Unmarshal([]byte(strings.SplitN(string(data), "\n", 2)[0]), &row0); err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(filepath.Join(ref, "model"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	gpt2.Fixtures.Expected(t, "generate.ids", &ids)
	out := runCmd(t, "", "generate", "--model", filepath.Join(ref, "model"), "--adapter", filepath.Join(ref, "init_adapter"),
		"--prompt", row0.Prompt, "--max-new-tokens", "8")
	if want := tok.Decode(ids) + "\n"; out != want {
		t.Errorf("generated %q, PyTorch %q", out, want)
	}
	// The same prompt, its start written by a template.
	head, rest := row0.Prompt[:5], row0.Prompt[5:]
	templated := runCmd(t, "", "generate", "--model", filepath.Join(ref, "model"), "--adapter", filepath.Join(ref, "init_adapter"),
		"--template", head+"{prompt}", "--prompt", rest, "--max-new-tokens", "8")
	if templated != out {
		t.Errorf("with --template %q and --prompt %q: generated %q, want %q", head+"{prompt}", rest, templated, out)
	}
}

func TestErrorsAreClear(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--data", "x.jsonl", "--out", t.TempDir()}, "--model is required"},
		{[]string{"eval", "--model", t.TempDir(), "--data", "x"}, "config"},
		{[]string{"train", "--model", filepath.Join(ref, "model"), "--data", filepath.Join(ref, "data.jsonl"), "--out", t.TempDir(), "--seq-len", "100"}, "--seq-len"},
		{[]string{"frobnicate"}, "usage"},
	} {
		var out, errOut bytes.Buffer
		err := run(c.args, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("prefixtune %v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

// TestPretrainResumes pretrains a tiny model on a small corpus in two runs
// sharing a checkpoint, and compares the result with one run.
func TestPretrainResumes(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.txt")
	var text strings.Builder
	for i := 0; i < 60; i++ {
		text.WriteString("The restaurant serves Chinese food near the river.\n\nAromi is a coffee shop in the city centre.\n\n")
	}
	if err := os.WriteFile(corpus, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(out, ckpt string, steps int) []string {
		return []string{"pretrain", "--corpus", corpus, "--tokenizer", filepath.Join(ref, "model", "tokenizer.json"),
			"--out", out, "--layers", "1", "--heads", "2", "--embd", "16", "--ctx", "32", "--seq-len", "16",
			"--batch-size", "4", "--steps", strconv.Itoa(steps), "--warmup", "2", "--lr", "0.01", "--eval-every", "5",
			"--checkpoint", ckpt, "--checkpoint-every", "3", "--dtype", "F32", "--threads", "1"}
	}
	full := runCmd(t, "", args(filepath.Join(dir, "full"), filepath.Join(dir, "full.ckpt"), 12)...)
	var first, last tune.Step
	lines := strings.Split(strings.TrimSpace(full), "\n")
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if len(lines) != 12 || last.ValLoss == nil || !(last.Loss < first.Loss) {
		t.Fatalf("%d steps, first %+v, last %+v: want 12 steps with the loss falling and a validation loss at the end", len(lines), first, last)
	}
	// The model card of the full run.
	logFile := filepath.Join(dir, "log.jsonl")
	if err := os.WriteFile(logFile, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	datasets := filepath.Join("..", "..", "public", "datasets")
	runCmd(t, "", "card", "--model", filepath.Join(dir, "full"), "--log", logFile, "--sources", filepath.Join(datasets, "SOURCES.md"),
		"--notice", filepath.Join(datasets, "wordnet-definitions", "README.md"), "--command", "prefixtune pretrain ...",
		"--check", filepath.Join(ref, "data.jsonl"))
	card, err := os.ReadFile(filepath.Join(dir, "full", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var check struct{ Loss float64 }
	if b, err := os.ReadFile(filepath.Join(dir, "full", "check.json")); err != nil || json.Unmarshal(b, &check) != nil || !(check.Loss > 0) {
		t.Errorf("check.json: %s (%v)", b, err)
	}
	for _, want := range []string{"| layers | 1 |", "| 12 | 768 |", "| weights | F32 safetensors |", "WordNet 3.0 Copyright 2006 by Princeton University", "| kjv | bible-kjv-text |", "- `word: lantern\\ndefinition:` →"} {
		if !strings.Contains(string(card), want) {
			t.Errorf("the model card lacks %q:\n%s", want, card)
		}
	}
	// The same run interrupted after 5 steps and resumed from its checkpoint.
	part := args(filepath.Join(dir, "part"), filepath.Join(dir, "part.ckpt"), 12)
	runCmd(t, "", append(part, "--stop-after", "5")...)
	if _, err := os.Stat(filepath.Join(dir, "part", "model.safetensors")); err != nil {
		t.Fatalf("the interrupted run left no validated weights: %v", err)
	}
	resumed := strings.Split(strings.TrimSpace(runCmd(t, "", part...)), "\n")
	var r0 tune.Step
	json.Unmarshal([]byte(resumed[0]), &r0)
	if len(resumed) != 7 || r0.Step != 6 {
		t.Fatalf("the resumed run logged %d steps from step %d, want 7 from step 6", len(resumed), r0.Step)
	}
	for _, name := range []string{"model.safetensors", "config.json", "tokenizer.json"} {
		a, errA := os.ReadFile(filepath.Join(dir, "full", name))
		b, errB := os.ReadFile(filepath.Join(dir, "part", name))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the resumed run (%v, %v)", name, errA, errB)
		}
	}
}

// TestEvalBaselinesReport puts the base model zero-shot, 2-shot and the
// prefix side by side in a Markdown report.
func TestEvalBaselinesReport(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.md")
	out := runCmd(t, "", "eval", "--model", filepath.Join(ref, "model"), "--data", filepath.Join(ref, "data.jsonl"),
		"--adapter", filepath.Join(ref, "init_adapter"), "--baselines", "--shots", "2", "--train", filepath.Join(ref, "data.jsonl"),
		"--generate", "--max-new-tokens", "4", "--labels", "auto", "--report", report, "--json")
	var res struct {
		Loss    float64
		Reports []struct {
			Name     string
			Accuracy *struct{ Point float64 }
			BLEU     *struct{ Point float64 }
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	var want float64
	gpt2.Fixtures.Expected(t, "eval.loss", &want)
	if len(res.Reports) != 3 || res.Reports[2].Name != "prefix" || !fixture.Near(res.Loss, want) || res.Reports[0].Accuracy == nil || res.Reports[1].BLEU == nil {
		t.Fatalf("reports %+v, loss %g (PyTorch %g)", res.Reports, res.Loss, want)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| metric | base, zero-shot | base, 2-shot | prefix |") {
		t.Errorf("report:\n%s", md)
	}
}

// TestMultiTaskTrainAndCompare trains two prefixes in one run and compares
// them side by side with eval.
func TestMultiTaskTrainAndCompare(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(ref, "data.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSpace(string(data)), "\n")
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	os.WriteFile(a, []byte(strings.Join(lines[:3], "")+"\n"), 0o644)
	os.WriteFile(b, []byte(strings.Join(lines[3:], "")+"\n"), 0o644)
	outA, outB := filepath.Join(dir, "A"), filepath.Join(dir, "B")
	log := runCmd(t, "", "train", "--model", filepath.Join(ref, "model"), "--data", a+","+b, "--val", a+","+b,
		"--out", outA+","+outB, "--prefix-len", "3", "--steps", "4", "--batch-size", "2", "--lr", "0.05", "--log-json")
	var tasks []int
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var s struct{ Task int }
		json.Unmarshal([]byte(l), &s)
		tasks = append(tasks, s.Task)
	}
	if fmt.Sprint(tasks) != "[1 2 1 2 1 2 1 2]" {
		t.Errorf("tasks per logged step %v", tasks)
	}
	out := runCmd(t, "", "eval", "--model", filepath.Join(ref, "model"), "--data", a, "--adapter", outA+","+outB)
	if !strings.Contains(out, "prefix "+outA) || !strings.Contains(out, "prefix "+outB) {
		t.Errorf("eval of two adapters printed:\n%s", out)
	}
}

// TestTrainPreset: --preset sets what no flag gives (the quick preset: a
// prefix of 5, a constant 5e-3, batch 4), and flags given win over it.
func TestTrainPreset(t *testing.T) {
	out := t.TempDir()
	log := runCmd(t, "", "train", "--model", filepath.Join(ref, "model"), "--data", filepath.Join(ref, "data.jsonl"),
		"--preset", "quick", "--steps", "3", "--seq-len", "16", "--log-json", "--out", out)
	sc := bufio.NewScanner(strings.NewReader(log))
	n := 0
	for ; sc.Scan(); n++ {
		var s tune.Step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if s.LR != 5e-3 {
			t.Errorf("step %d: learning rate %g, want the quick preset's constant 5e-3", s.Step, s.LR)
		}
	}
	cfg, _, err := adapter.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || cfg.NumVirtualTokens != 5 {
		t.Errorf("%d steps (want 3, from --steps) and %d virtual tokens (want the preset's 5)", n, cfg.NumVirtualTokens)
	}
	var errOut bytes.Buffer
	err = run([]string{"train", "--model", filepath.Join(ref, "model"), "--data", filepath.Join(ref, "data.jsonl"), "--preset", "fast", "--out", out}, nil, io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "generation-mlp") {
		t.Errorf("an unknown preset: %v, want an error listing the presets", err)
	}
}
