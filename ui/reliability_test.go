package main

import (
	"strings"
	"testing"

	"prefixtune/core/protocol"
)

// startRun trains the loaded sample and delivers its first steps.
func startRun(h *harness, steps int) uint64 {
	h.t.Helper()
	h.do(func(a *App) { a.Train() })
	id, _, _ := next[protocol.Train](h)
	var log []protocol.StepLog
	for s := 1; s <= steps; s++ {
		log = append(log, protocol.StepLog{Step: s, Loss: 3 - 0.01*float64(s), LR: 1e-3})
	}
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseTrain, Step: steps, Steps: 40, Log: log})
	return id
}

// TestEngineRestart: the engine dies mid-run; the page says so, loads the
// model into the fresh engine, and offers the run from its checkpoint.
func TestEngineRestart(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	id := startRun(h, 12)
	const why = "The engine stopped: it did not answer for 3 s. A fresh engine is starting."
	h.deliver(0, protocol.Errorf(protocol.CodeEngineStopped, why))
	h.deliver(id, protocol.Errorf(protocol.CodeEngineStopped, why))
	if a := h.app; a.Engine.Ready || a.Engine.Stopped != why || a.Engine.Err != "" || a.Run.Status != StatusFailed || a.Busy != "" {
		t.Fatalf("after the engine stopped: engine %+v, run %s, busy %q", a.Engine, a.Run.Status, a.Busy)
	}
	html := render(t, h.app)
	for _, want := range []string{`id="engine-stopped"`, why, "Starting a fresh engine", "Restarting the engine"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q while the engine restarts", want)
		}
	}
	h.quiet()

	// The fresh engine: the model again, then the saved runs.
	h.deliver(0, protocol.Ready{Caps: protocol.Caps{SIMD: true, Threads: 2}, Device: "test"})
	if !h.app.Engine.Reloading || h.app.Model.Loaded != nil || h.app.Data.Loaded != nil {
		t.Fatalf("after the fresh Ready: engine %+v, model %v, data %v", h.app.Engine, h.app.Model.Loaded, h.app.Data.Loaded)
	}
	mid, r, files := next[protocol.LoadModel](h)
	if len(r.Files) != 3 || len(files) != 3 {
		t.Fatalf("the model is loaded again with %+v %v", r, files)
	}
	h.deliver(mid, demoModel)
	lid, _, _ := next[protocol.ListCheckpoints](h)
	saved := protocol.RunInfo{RunID: "r1", Step: 10, Steps: 40, Model: "model.safetensors", ModelID: demoModel.Fingerprint, Data: "d.jsonl", Options: h.app.Opts}
	h.deliver(lid, protocol.Checkpoints{Runs: []protocol.RunInfo{saved}})
	html = render(t, h.app)
	for _, want := range []string{`id="engine-stopped"`, "at step 10 of 40", `id="resume-saved"`} {
		if !strings.Contains(html, want) {
			t.Errorf("after the restart the page lacks %q", want)
		}
	}

	// Resuming clears the notice.
	h.do(func(a *App) { a.OpenRun("r1", true) })
	cid, _, _ := next[protocol.LoadCheckpoint](h)
	h.deliver(cid, protocol.CheckpointLoaded{Run: saved, History: []protocol.StepLog{{Step: 10, Loss: 2.9}}})
	next[protocol.Resume](h)
	if h.app.Engine.Stopped != "" || h.app.Run.Status != StatusRunning || h.app.Run.Step != 10 {
		t.Errorf("after resuming: engine %+v, run %+v", h.app.Engine, h.app.Run)
	}
}

// TestEngineDiesLoadingModel: an engine that died loading a model is not
// given the model again (it may be what killed it); the page says to load
// it.
func TestEngineDiesLoadingModel(t *testing.T) {
	h := newHarness(t)
	h.do(func(a *App) { a.LoadModel() })
	id, _, _ := next[protocol.LoadModel](h)
	h.deliver(0, protocol.Errorf(protocol.CodeEngineStopped, "The engine stopped: it failed (out of memory)."))
	h.deliver(id, protocol.Errorf(protocol.CodeEngineStopped, "The engine stopped: it failed (out of memory)."))
	h.deliver(0, protocol.Ready{Device: "test"})
	next[protocol.ListCheckpoints](h)
	h.quiet()
	if html := render(t, h.app); !strings.Contains(html, "Load the model again") {
		t.Errorf("the page does not say to load the model again")
	}
	h.do(func(a *App) { a.DismissStopped() })
	if strings.Contains(render(t, h.app), `id="engine-stopped"`) {
		t.Errorf("the notice stays after Dismiss")
	}
}

// TestRecoveredStep: a step the engine undid is reported, left off the
// chart, and not taken as the latest loss.
func TestRecoveredStep(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	id := startRun(h, 4)
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseTrain, Step: 5, Steps: 40,
		Log: []protocol.StepLog{{Step: 5, LR: 1e-3, Recovered: true}}})
	if got := h.app.Run.Recovered(); len(got) != 1 || got[0] != 5 {
		t.Fatalf("recovered steps %v, want [5]", got)
	}
	html := render(t, h.app)
	if !strings.Contains(html, `id="train-recovered"`) || !strings.Contains(html, "Step 5 came out not finite") {
		t.Errorf("the Train step does not report the undone step")
	}
	if !strings.Contains(html, `id="train-loss">2.96<`) {
		t.Errorf("the latest loss shown is not step 4's")
	}
	if c := lossChart(h.app.Run.Log, 40); c.Points != 4 {
		t.Errorf("the chart draws %d points, want the 4 finite steps", c.Points)
	}
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseTrain, Step: 6, Steps: 40, Log: []protocol.StepLog{{Step: 6, Loss: 2.9, LR: 5e-4}}})
	if h.app.Run.Status != StatusRunning {
		t.Errorf("the run stopped after a recovered step: %+v", h.app.Run)
	}
}

// TestClearStorage: clearing asks first, then says what went.
func TestClearStorage(t *testing.T) {
	h := newHarness(t)
	h.host.cleared = Cleared{Runs: 2, Files: 9, Bytes: 4_200_000, Caches: []CacheCleared{{Name: "prefixtune-hub-v1", Files: 3, Bytes: 17_000_000}}}
	html := render(t, h.app)
	for _, want := range []string{"Cache API", "origin-private file system", `id="clear-storage"`} {
		if !strings.Contains(html, want) {
			t.Errorf("the privacy panel lacks %q", want)
		}
	}
	h.do(func(a *App) { a.AskClear() })
	if !strings.Contains(render(t, h.app), `id="clear-confirm"`) {
		t.Fatalf("clearing is not confirmed first")
	}
	h.quiet()
	h.do(func(a *App) { a.ClearStorage() })
	h.until("the clearing", func(a *App) bool { return a.Storage.Cleared != "" })
	next[protocol.ListCheckpoints](h)
	got := h.app.Storage.Cleared
	want := "Cleared 2 saved runs (9 files, 4.01 MB) from the origin-private file system and the model cache (3 downloaded files, 16.2 MB) from the Cache API."
	if got != want {
		t.Errorf("cleared line %q, want %q", got, want)
	}
	if got := clearedLine(Cleared{}); !strings.HasPrefix(got, "Nothing was stored") {
		t.Errorf("nothing cleared: %q", got)
	}
}

// TestOutOfMemoryKeepsSavedRun: a run that fails before its first step
// (the engine's arena could not grow) says so on the Train step and the run
// saved before is still offered; when that run cannot be opened either,
// its banner says why, whichever step is shown.
func TestOutOfMemoryKeepsSavedRun(t *testing.T) {
	h := newHarness(t)
	loadDemo(h)
	loadSample(h)
	h.do(func(a *App) { a.Train() })
	id, _, _ := next[protocol.Train](h)
	h.deliver(id, protocol.Progress{Phase: protocol.PhaseInit})
	const oom = "Out of memory: the browser would not give the engine more memory for this; use a smaller model, batch or sequence length"
	h.deliver(id, protocol.Errorf(protocol.CodeOutOfMemory, oom))
	lid, _, _ := next[protocol.ListCheckpoints](h)
	saved := protocol.RunInfo{RunID: "r1", Step: 20, Steps: 20, Model: "model.safetensors", ModelID: demoModel.Fingerprint, Data: "d.jsonl", Options: h.app.Opts}
	h.deliver(lid, protocol.Checkpoints{Runs: []protocol.RunInfo{saved}})
	html := render(t, h.app)
	for _, want := range []string{oom, "Failed before the first step", `id="train-resume"`, "step 20 of 20", `id="open-saved"`} {
		if !strings.Contains(html, want) {
			t.Errorf("after the run ran out of memory the page lacks %q", want)
		}
	}
	h.do(func(a *App) { a.Go(StepData); a.OpenRun("r1", false) })
	cid, _, _ := next[protocol.LoadCheckpoint](h)
	const again = "Out of memory: the browser would not give the engine more memory for this (opening)"
	h.deliver(cid, protocol.Errorf(protocol.CodeOutOfMemory, again))
	if html := render(t, h.app); h.app.Step != StepData || !strings.Contains(html, again) {
		t.Errorf("on step %v, the page does not say why the saved run did not open", h.app.Step)
	}
}
