package main

import (
	"strings"
	"testing"

	"prefixtune/core/protocol"
)

func TestSetOption(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) {
		a.SetOption("lr", "abc")
		a.SetOption("batch_size", "0")
		a.SetOption("seq_len", "60") // with a prefix of 10, over the 64 positions
	})
	for _, name := range []string{"lr", "batch_size", "seq_len"} {
		if h.app.Tune.FieldErr[name] == "" {
			t.Errorf("%s: no error for a bad value", name)
		}
	}
	if ok, _ := h.app.CanTrain(); ok {
		t.Errorf("training can start with refused settings")
	}
	h.do(func(a *App) {
		a.SetOption("lr", "3e-3")
		a.SetOption("batch_size", "8")
		a.SetOption("seq_len", "32")
		a.SetOption("val_fraction", "20")
	})
	id, d, _ := next[protocol.DescribeData](h)
	if d.SeqLen != 32 {
		t.Errorf("DescribeData %+v after setting the sequence length", d)
	}
	h.deliver(id, protocol.DataStats{SeqLen: 32})
	id, e, _ := next[protocol.Estimate](h)
	o := e.Options
	if len(h.app.Tune.FieldErr) != 0 || o.LR != 3e-3 || o.BatchSize != 8 || o.SeqLen != 32 || o.ValFraction != 0.2 {
		t.Errorf("options %+v, errors %v", o, h.app.Tune.FieldErr)
	}
	h.deliver(id, protocol.Estimated{})
}

// TestStaleEstimate: options changed while an estimate runs are estimated
// again, and the stale answer is dropped.
func TestStaleEstimate(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) { a.SetOption("epochs", "7") })
	id, _, _ := next[protocol.Estimate](h)
	h.do(func(a *App) { a.SetOption("epochs", "8") }) // the engine is busy: not sent yet
	h.quiet()
	h.deliver(id, protocol.Estimated{Steps: 7})
	id, e, _ := next[protocol.Estimate](h)
	if e.Options.Epochs != 8 || h.app.Tune.Estimate != nil {
		t.Fatalf("re-estimated %+v; kept the stale estimate %+v", e.Options, h.app.Tune.Estimate)
	}
	h.deliver(id, protocol.Estimated{Steps: 8})
	if h.app.Tune.Estimate.Steps != 8 {
		t.Errorf("estimate %+v", h.app.Tune.Estimate)
	}
}

// TestEstimateLines: a run that fits shows its time; one that needs more
// memory than the engine has says so, and is not timed.
func TestEstimateLines(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) { a.SetOption("epochs", "2") })
	id, _, _ := next[protocol.Estimate](h)
	h.deliver(id, protocol.Estimated{TotalBytes: 3 << 30, BudgetBytes: 2 << 30, Steps: 10, NotTimed: "the run does not fit in memory"})
	c := &TuneStep{App: h.app}
	if m, tl := c.MemoryLine(), c.TimeLine(); !strings.Contains(m, "more than the 2.00 GB this browser gives the engine") || tl != "not timed: the run does not fit in memory" {
		t.Errorf("a run too big: memory %q, time %q", m, tl)
	}
	h.do(func(a *App) { a.SetOption("epochs", "3") })
	id, _, _ = next[protocol.Estimate](h)
	h.deliver(id, protocol.Estimated{TotalBytes: 1 << 30, BudgetBytes: 2 << 30, Steps: 10, StepSeconds: 0.5, TotalSeconds: 5})
	if m, tl := c.MemoryLine(), c.TimeLine(); strings.Contains(m, "more than") || !strings.HasPrefix(tl, "about 0.5 s a step") || !strings.HasSuffix(tl, "10 steps in 5.0 s") {
		t.Errorf("a run that fits: memory %q, time %q", m, tl)
	}
}

// TestErrorsShowWhereTheyHappen: an engine error lands in its step.
func TestErrorsShowWhereTheyHappen(t *testing.T) {
	h := newHarness(t)
	h.do(func(a *App) { a.Model.Source, a.Model.Repo = SourceHub, "openai-community/gpt2" })
	h.do(func(a *App) { a.LoadModel() })
	id, r, _ := next[protocol.LoadModel](h)
	if r.Hub == nil || r.Hub.Base != "http://127.0.0.1:8080/hub" || r.Hub.Repo != "openai-community/gpt2" {
		t.Fatalf("LoadModel %+v, want the repository through the site's mirror", r.Hub)
	}
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseDownload, File: "model.safetensors", Bytes: 5, BytesTotal: 10})
	h.deliver(id, protocol.Errorf(protocol.CodeNetwork, "model.safetensors: HTTP 404: check the repository id"))
	if h.app.Model.Err != "model.safetensors: HTTP 404: check the repository id" || h.app.Model.Progress != nil || h.app.Busy != "" {
		t.Errorf("model state %+v, busy %q", h.app.Model, h.app.Busy)
	}
	// A model the page refuses before loading it.
	h.do(func(a *App) {
		a.PickModelFiles([]File{file("config.json", `{"model_type":"bert"}`), file("model.safetensors", "w"), file("tokenizer.json", "t")})
	})
	id, check, _ := next[protocol.CheckModel](h)
	if check.Config != `{"model_type":"bert"}` {
		t.Errorf("CheckModel sent %q, want the picked config.json", check.Config)
	}
	h.deliver(id, protocol.ModelChecked{Problem: "config.json: model_type \"bert\" is not supported"})
	if ok, _ := h.app.CanLoadModel(); ok || h.app.Model.Check == nil || !strings.Contains(h.app.Model.Check.Problem, "bert") {
		t.Errorf("a BERT can be loaded: %+v", h.app.Model.Check)
	}
	h.do(func(a *App) { a.PickModelFiles([]File{file("config.json", "{}")}) })
	if !strings.Contains(h.app.Model.Err, "Missing model.safetensors and tokenizer.json") {
		t.Errorf("missing files: %q", h.app.Model.Err)
	}
	// The engine stopping.
	h.deliver(0, protocol.Errorf(protocol.CodeInternal, "the engine stopped: reload the page"))
	if h.app.Engine.Ready || h.app.Engine.Err != "the engine stopped: reload the page" {
		t.Errorf("engine %+v", h.app.Engine)
	}
}

// TestOwnFile: a CSV with other column names is mapped and loaded, with a
// share held out for validation.
func TestOwnFile(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	h.do(func(a *App) { a.PickDataFile(file("qa.csv", "question,answer\nWhy?,Because.\n")) })
	h.until("the preview", func(a *App) bool { return a.Data.Preview != nil })
	if d := h.app.Data; d.Mode != ModePair || d.PromptCol != "question" || d.CompletionCol != "answer" {
		t.Fatalf("mapping %s %q %q", d.Mode, d.PromptCol, d.CompletionCol)
	}
	h.do(func(a *App) { a.LoadData() })
	id, r, files := next[protocol.LoadData](h)
	if r != (protocol.LoadData{Format: "csv", PromptColumn: "question", CompletionColumn: "answer"}) || files[0] != "qa.csv" {
		t.Errorf("LoadData %+v %v", r, files)
	}
	h.deliver(id, protocol.DataLoaded{Name: "qa.csv", Examples: 1})
	id, _, _ = next[protocol.DescribeData](h)
	if h.app.Opts.ValFraction != 0.1 {
		t.Errorf("no validation file, and %g held out", h.app.Opts.ValFraction)
	}
	h.deliver(id, protocol.Errorf(protocol.CodeBadData, "qa.csv:2: no completion"))
	if h.app.Data.Err != "qa.csv:2: no completion" {
		t.Errorf("data error %q", h.app.Data.Err)
	}
}

// TestImportAdapterZip: a zip is unpacked in the page and its two files
// are posted.
func TestImportAdapterZip(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	z, err := adapterZip(protocol.AdapterFiles{Config: []byte("{}"), Weights: []byte("w")}, "readme")
	if err != nil {
		t.Fatal(err)
	}
	h.do(func(a *App) { a.ImportAdapter([]File{file("prefix.zip", string(z))}) })
	id, r, files := next[protocol.ImportAdapter](h)
	if r.Config != 0 || r.Weights != 1 || strings.Join(files, " ") != "adapter_config.json adapter_model.safetensors" {
		t.Errorf("ImportAdapter %+v %v", r, files)
	}
	h.deliver(id, protocol.AdapterImported{VirtualTokens: 5, BaseModel: "gpt2"})
	if !h.app.HasPrefix() {
		t.Errorf("an imported adapter is no prefix")
	}
	h.do(func(a *App) { a.ImportAdapter([]File{file("notes.txt", "x")}) })
	if h.app.Adapter.ImportErr == "" {
		t.Errorf("a text file was taken for an adapter")
	}
}

// TestResumeSavedRun: after a reload, a run saved in the browser is
// restored onto the same model and resumed.
func TestResumeSavedRun(t *testing.T) {
	h := &harness{t: t, host: newHost(), env: &env{}}
	for _, n := range modelFiles {
		h.host.site[DemoModel+n] = n
	}
	h.app = NewApp(h.host, h.env)
	h.deliver(0, protocol.Ready{Device: "test"})
	id, _, _ := next[protocol.ListCheckpoints](h)
	opts := DefaultOptions()
	opts.Steps, opts.PrefixLen = 30, 7
	saved := protocol.RunInfo{RunID: "r9", Step: 10, Steps: 30, Loss: 2.2, Model: "model.safetensors", ModelID: "f1", Data: "d.jsonl", Options: opts}
	h.deliver(id, protocol.Checkpoints{Runs: []protocol.RunInfo{saved}})
	if r, same := h.app.SavedRun(); r == nil || same {
		t.Fatalf("saved run %v, same model %v before any model is loaded", r, same)
	}
	loadDemo(h)
	if _, same := h.app.SavedRun(); !same {
		t.Fatalf("the saved run's model is not recognised")
	}
	h.do(func(a *App) { a.OpenRun("r9", true) })
	id, l, _ := next[protocol.LoadCheckpoint](h)
	if l.RunID != "r9" {
		t.Errorf("LoadCheckpoint %+v", l)
	}
	h.deliver(id, protocol.CheckpointLoaded{Run: saved, History: []protocol.StepLog{{Step: 1, Loss: 3}, {Step: 10, Loss: 2.2}}})
	id, _, _ = next[protocol.Resume](h)
	if a := h.app; a.Opts.PrefixLen != 7 || len(a.Run.Log) != 2 || a.Run.Status != StatusRunning || a.Step != StepTrain || a.Data.Loaded.Name != "d.jsonl" {
		t.Errorf("restored %+v, options %+v", a.Run, a.Opts)
	}
	h.do(func(a *App) { a.Pause() })
	pid, _, _ := next[protocol.Pause](h)
	h.deliver(pid, protocol.Paused{RunID: "r9", Step: 12})
	h.deliver(id, protocol.Trained{RunID: "r9", Status: protocol.StatusPaused, Step: 12, Steps: 30})
	if h.app.Run.Status != protocol.StatusPaused || h.app.Run.Pausing {
		t.Errorf("after pausing: %+v", h.app.Run)
	}
}

// TestEarlierValidationFile: the engine keeps a validation file, so data
// loaded later without one is validated on it, and no share is held out
// (the engine refuses both at once).
func TestEarlierValidationFile(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) { a.PickDataFile(file("own.jsonl", `{"prompt":"p","completion":"c"}`+"\n")) })
	h.until("the preview", func(a *App) bool { return a.Data.Preview != nil && a.Data.Preview.Err == "" })
	h.do(func(a *App) { a.LoadData() })
	id, _, _ := next[protocol.LoadData](h)
	h.deliver(id, protocol.DataLoaded{Name: "own.jsonl", Examples: 1})
	id, _, _ = next[protocol.DescribeData](h)
	if a := h.app; a.Opts.ValFraction != 0 || a.Data.ValLoaded == nil || a.Data.ValLoaded.Name != "wordnet-definitions-validation.jsonl" {
		t.Errorf("validation share %g, validation file %+v", a.Opts.ValFraction, a.Data.ValLoaded)
	}
	if data, about := h.app.HeldOut(); data != protocol.TestData || !strings.Contains(about, "held out for testing") || h.app.Opts.TestFraction != 0.1 {
		t.Errorf("Compare scores %s (%s): want a tenth of own.jsonl held out for testing, as it comes without a test file", data, about)
	}
	h.deliver(id, protocol.DataStats{})
}

// TestTemplateAndThreads: a prompt template reloads the data with it and
// shows the first row as the model reads it; a bad one is refused where it
// is typed; threads stay within the kernel pool's.
func TestTemplateAndThreads(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) { a.SetTemplate(`no placeholder`) })
	if h.app.Data.TemplateErr == "" {
		t.Errorf("a template without {prompt} was taken")
	}
	h.do(func(a *App) { a.SetTemplate(`Q: {prompt}\n`) })
	id, r, _ := next[protocol.LoadData](h)
	if r.Template != `Q: {prompt}\n` {
		t.Errorf("LoadData %+v, want the template", r)
	}
	if p, c, ok := h.app.Data.Formatted(); !ok || p != "Q: word: a\ndefinition:\n" || c != " the first letter" {
		t.Errorf("the first row reads %q + %q", p, c)
	}
	step := &DataStep{App: h.app}
	if b, e := step.FormattedBOS(), step.FormattedEOS(); b != "" || e != "<|endoftext|>" {
		t.Errorf("the first row is read after %q and before %q, want nothing and the model's <|endoftext|>", b, e)
	}
	h.app.Model.Loaded.BOS = "<s>"
	if b := step.FormattedBOS(); b != "<s>" {
		t.Errorf("with a tokenizer that puts <s> first, the first row is read after %q", b)
	}
	h.deliver(id, protocol.Error{Code: protocol.CodeCancelled})
	h.do(func(a *App) {
		a.Try.Prompt = "word: x"
		if p := a.TryPrompt(); p != "Q: word: x\n" {
			t.Errorf("Try generates from %q, want the prompt in the template", p)
		}
		if a.Try.AsTyped = true; a.TryPrompt() != "word: x" {
			t.Errorf("Try as typed generates from %q", a.TryPrompt())
		}
	})
	h.do(func(a *App) { a.Engine.PoolThreads = 2; a.SetOption("threads", "3") })
	if h.app.Tune.FieldErr["threads"] == "" || h.app.Opts.Threads != 2 {
		t.Errorf("3 threads of a pool of 2: error %q, threads %d", h.app.Tune.FieldErr["threads"], h.app.Opts.Threads)
	}
}

// TestEvaluateRequestByTask: Compare asks for the metrics of the task, as
// `prefixtune eval` would be run: generation metrics for prompts and
// completions (RMSE and MAE too when the test completions are numbers),
// accuracy and macro-F1 by label likelihood for a text and its label.
func TestEvaluateRequestByTask(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) {
		if r := a.EvaluateRequest(); !r.Generate || r.Classify || r.Numeric || r.Data != protocol.TestData || r.Shots != 3 {
			t.Errorf("pairs: %+v", r)
		}
		a.Data.TestLoaded.Numeric = true
		if r := a.EvaluateRequest(); !r.Generate || !r.Numeric {
			t.Errorf("numeric completions: %+v", r)
		}
		a.Data.Mode = ModeLabel
		if r := a.EvaluateRequest(); r.Generate || !r.Classify || a.TaskKind() != "classification" {
			t.Errorf("a text and its label: %+v (task kind %s)", r, a.TaskKind())
		}
	})
}

// TestTrainAnnouncement: the live region speaks when a run starts, pauses
// and ends, and stays the same from step to step in between.
func TestTrainAnnouncement(t *testing.T) {
	c := &TrainStep{App: &App{}}
	if got := c.Announcement(); got != "" {
		t.Errorf("before any run: %q, want nothing", got)
	}
	c.App.Run = RunState{Status: StatusRunning, Phase: protocol.PhaseTrain, Step: 3, Steps: 10}
	started := c.Announcement()
	c.App.Run.Step = 4
	if got := c.Announcement(); got != started || got == "" {
		t.Errorf("running: %q at step 3, %q at step 4; want one line that does not change", started, got)
	}
	for _, tc := range []struct {
		status string
		want   string
	}{
		{protocol.StatusPaused, "Paused at step 4 of 10"},
		{StatusCancelled, "Stopped at step 4 of 10"},
		{StatusFailed, "Failed at step 4 of 10"},
		{protocol.StatusDone, "Done: 10 steps"},
	} {
		c.App.Run.Status = tc.status
		if got := c.Announcement(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want it to start with %q", tc.status, got, tc.want)
		}
	}
}
