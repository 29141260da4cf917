package main

import (
	"archive/zip"
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"

	"prefixtune/core/protocol"
)

var demoModel = protocol.ModelLoaded{Name: "prefixtune-demo", Architecture: protocol.Architecture{Layers: 2, Heads: 4, Embd: 64,
	Positions: 64, Vocab: 297, Params: 123200}, Bytes: 495432, Fingerprint: "f1", EOS: "<|endoftext|>"}

// loadDemo loads the demo model through the fake engine.
func loadDemo(h *harness) {
	h.t.Helper()
	h.do(func(a *App) { a.LoadModel() })
	id, r, files := next[protocol.LoadModel](h)
	if !reflect.DeepEqual(r.Files, []int{0, 1, 2}) || strings.Join(files, " ") != "config.json model.safetensors tokenizer.json" || r.Hub != nil || r.Folder != "prefixtune-demo" {
		h.t.Fatalf("LoadModel %+v with files %v", r, files)
	}
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseWeights, File: "model.safetensors", Bytes: 100, BytesTotal: 495432})
	if p := h.app.Model.Progress; p == nil || p.Bytes != 100 {
		h.t.Fatalf("progress %+v", p)
	}
	h.deliver(id, demoModel)
}

// loadSample loads a sample dataset and answers the requests it makes.
func loadSample(h *harness) {
	h.t.Helper()
	h.until("the samples", func(a *App) bool { return a.SamplesReady() })
	h.do(func(a *App) { a.UseSample("wordnet-definitions") })
	id, r, files := next[protocol.LoadData](h)
	want := protocol.LoadData{Format: "jsonl", PromptColumn: "prompt", CompletionColumn: "completion"}
	if r != want || len(files) != 1 || files[0] != "wordnet-definitions-train.jsonl" {
		h.t.Fatalf("LoadData %+v with %v, want %+v", r, files, want)
	}
	h.deliver(id, protocol.DataLoaded{Name: files[0], Format: "jsonl", Examples: 1})
	id, r, files = next[protocol.LoadData](h)
	if want.Validation = true; r != want || files[0] != "wordnet-definitions-validation.jsonl" {
		h.t.Fatalf("validation LoadData %+v with %v", r, files)
	}
	h.deliver(id, protocol.DataLoaded{Name: files[0], Format: "jsonl", Examples: 1, Validation: true})
	id, r, files = next[protocol.LoadData](h)
	if want.Validation, want.Test = false, true; r != want || files[0] != "wordnet-definitions-test.jsonl" {
		h.t.Fatalf("test LoadData %+v with %v", r, files)
	}
	h.deliver(id, protocol.DataLoaded{Name: files[0], Format: "jsonl", Examples: 1, Test: true})
	id, d, _ := next[protocol.DescribeData](h)
	if d.SeqLen != 54 || d.PrefixLen != 10 { // 64 positions less the default prefix
		h.t.Fatalf("DescribeData %+v", d)
	}
	h.deliver(id, protocol.DataStats{Examples: 1, SeqLen: 54, Tokens: 12, TargetTokens: 5, MinLen: 12, MaxLen: 12, MeanLen: 12,
		Histogram: []protocol.Bin{{Upto: 16, Count: 1}}})
	id, e, _ := next[protocol.Estimate](h)
	if e.Options != h.app.Opts || e.Options.ValFraction != 0 || e.Options.TestFraction != 0 {
		h.t.Fatalf("Estimate %+v, want the options %+v and no held-out share beside a validation and a test file", e.Options, h.app.Opts)
	}
	h.deliver(id, protocol.Estimated{TotalBytes: 4 << 20, Steps: 5, StepSeconds: 0.5, TotalSeconds: 2.5})
}

func TestFlow(t *testing.T) {
	h := newHarness(t)
	if ok, why := h.app.Reachable(StepData); ok || why == "" {
		t.Errorf("Data is reachable before a model is loaded")
	}
	loadDemo(h)
	if h.app.Step != StepData || h.app.Model.Loaded == nil || h.app.Opts.SeqLen != 54 {
		t.Fatalf("after loading: step %v, model %v, sequence length %d", h.app.Step, h.app.Model.Loaded, h.app.Opts.SeqLen)
	}
	loadSample(h)
	if !h.app.Done(StepData) || !h.app.Done(StepTune) {
		t.Errorf("Data and Tune are not done after the statistics and the estimate")
	}

	// Training: progress with every step's log, then the end.
	h.do(func(a *App) { a.ApplyPreset("quick") })
	id, d, _ := next[protocol.DescribeData](h) // the prefix length changed
	if d.PrefixLen != 5 {
		t.Errorf("DescribeData %+v after the quick preset", d)
	}
	h.deliver(id, protocol.DataStats{Examples: 1, SeqLen: 54})
	id, _, _ = next[protocol.Estimate](h)
	h.deliver(id, protocol.Estimated{Steps: 40})
	h.do(func(a *App) { a.Train() })
	id, tr, _ := next[protocol.Train](h)
	if tr.Options.Steps != 40 || tr.Options.PrefixLen != 5 || tr.Options.LR != 5e-3 {
		t.Errorf("Train %+v, want the quick preset", tr.Options)
	}
	val := 2.5
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseTrain, Step: 2, Steps: 40, Log: []protocol.StepLog{{Step: 1, Loss: 3}, {Step: 2, Loss: 2.9}}, TokensPerSecond: 900})
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseCheckpoint, Step: 2})
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseTrain, Step: 40, Steps: 40, Log: []protocol.StepLog{{Step: 40, Loss: 2, ValLoss: &val}}})
	if r := h.app.Run; len(r.Log) != 3 || r.Step != 40 || r.Last.TokensPerSecond != 0 || *r.ValLoss() != 2.5 {
		t.Errorf("run %+v", r)
	}
	h.deliver(id, protocol.Trained{RunID: "r1", Status: protocol.StatusDone, Step: 40, Steps: 40, Loss: 2})
	id, _, _ = next[protocol.ListCheckpoints](h)
	h.deliver(id, protocol.Checkpoints{Runs: []protocol.RunInfo{{RunID: "r1", Step: 40, Steps: 40, ModelID: "f1"}}})
	if r, _ := h.app.SavedRun(); r != nil {
		t.Errorf("the current run is offered as a saved one")
	}
	if !h.app.Done(StepTrain) || !h.app.HasPrefix() {
		t.Errorf("training is not done")
	}

	// Compare: the baselines and the prefix on the test file, with the
	// generation metrics of prompt-completion pairs.
	h.do(func(a *App) { a.CompareModels() })
	id, ev, _ := next[protocol.Evaluate](h)
	if ev != (protocol.Evaluate{Which: protocol.Both, Data: protocol.TestData, SeqLen: 54, Shots: 3, Generate: true, MaxNew: 64}) {
		t.Errorf("Evaluate %+v", ev)
	}
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseEvaluate, Task: "prefix", Step: 2, Steps: 6})
	if p := h.app.Compare.Progress; p == nil || p.Step != 2 {
		t.Errorf("evaluation progress %+v", p)
	}
	ci := func(v float64) *protocol.Interval {
		return &protocol.Interval{Point: v, Lo: v - 0.1, Hi: v + 0.1, Level: 0.95, Resamples: 1000}
	}
	sample := func(out string) []protocol.Sample {
		return []protocol.Sample{{Prompt: "word: c\ndefinition:", References: []string{"the third letter"}, Output: out}}
	}
	h.deliver(id, protocol.Evaluated{Base: &protocol.Score{Loss: 3}, Prefixed: &protocol.Score{Loss: 2}, PrefixParams: 640, TrainedParams: 640, ModelParams: 123200,
		Reports: []protocol.Report{
			{Name: "base, zero-shot", Kind: protocol.ReportZeroShot, Examples: 1, Prompts: 1, Loss: *ci(3), Perplexity: 20.1, BLEU: ci(1), Samples: sample("a")},
			{Name: "base, 3-shot", Kind: protocol.ReportFewShot, Examples: 1, Prompts: 1, Loss: *ci(2.5), Perplexity: 12.2, BLEU: ci(5), Samples: sample("b")},
			{Name: "prefix", Kind: protocol.ReportPrefix, Examples: 1, Prompts: 1, Loss: *ci(2), Perplexity: 7.4, BLEU: ci(9), Samples: sample("the third")},
		}})
	if !h.app.Done(StepCompare) || h.app.Compare.Progress != nil {
		t.Errorf("Compare is not done")
	}
	h.quiet()

	// Download: the zip of the engine's files and a readme.
	h.do(func(a *App) { a.Export() })
	id, ex, _ := next[protocol.ExportAdapter](h)
	if ex.BaseModel != "prefixtune-demo" {
		t.Errorf("ExportAdapter %+v", ex)
	}
	h.deliver(id, protocol.AdapterFiles{Config: []byte(`{"peft_type":"PREFIX_TUNING"}`), Weights: []byte{1, 2, 3}})
	z := h.host.saved["prefix-wordnet-definitions-train-p5.zip"]
	files := unzipAll(t, z)
	if string(files[adapterConfig]) != `{"peft_type":"PREFIX_TUNING"}` || !bytes.Equal(files[adapterWeights], []byte{1, 2, 3}) {
		t.Errorf("the zip holds %v", files)
	}
	readme := string(files["README.md"])
	for _, want := range []string{"PeftModel.from_pretrained", `"prefixtune-demo"`, "5 virtual tokens", "learning rate 0.005", "40 of 40 steps",
		"validation loss 2.5000", "base, zero-shot: loss 3.0000", "base, 3-shot: loss 2.5000", "prefix: loss 2.0000 (perplexity 7.40), BLEU 9.000"} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README lacks %q:\n%s", want, readme)
		}
	}
	if !h.app.Done(StepDownload) {
		t.Errorf("Download is not done")
	}
}

func unzipAll(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range r.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}
