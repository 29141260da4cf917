package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"prefixtune/tests/reference/fixture"
	"prefixtune/tests/reference/gpt2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/core/adapter"
	"prefixtune/core/protocol"
	"prefixtune/core/tune"
	"prefixtune/tests/browser/browsertest"
)

const repo = "test/tiny-gpt2"

type trainResult struct {
	Result  protocol.Trained
	Log     []protocol.StepLog
	Adapter protocol.AdapterFiles
}

type caps struct {
	protocol.Caps
	Device string `json:"device"`
}

type phase1Result struct {
	Caps      caps
	Errors    map[string]string
	Model     protocol.ModelLoaded
	Phases    []string
	Data      protocol.DataLoaded
	Stats     protocol.DataStats
	Imported  protocol.AdapterImported
	Eval      protocol.Evaluated
	Tokens    []protocol.Token
	Generated protocol.Generated
	Estimate  protocol.Estimated
	Parity    trainResult
	Whole     trainResult
	PausedLog []protocol.StepLog
	PausedRun protocol.Trained
	Paused    protocol.Paused
	List      protocol.Checkpoints
	FromFiles protocol.ModelLoaded
}

type phase2Result struct {
	Caps       caps
	Model      protocol.ModelLoaded
	Phases     []string
	List       protocol.Checkpoints
	Loaded     protocol.CheckpointLoaded
	ResumedLog []protocol.StepLog
	Resumed    protocol.Trained
	Adapter    protocol.AdapterFiles
	CancelCode string
	Errors     map[string]string
}

// call runs an async function of testdata/page.js with JSON arguments and
// decodes its result into out.
func call(t *testing.T, ctx context.Context, fn string, out any, args ...any) {
	t.Helper()
	var js []string
	for _, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		js = append(js, string(b))
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](fmt.Sprintf("%s(%s)", fn, strings.Join(js, ", ")), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s in the page: %v", fn, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s returned %s: %v", fn, raw, err)
	}
}

// Options of the fixture's training run (cmd/prefixtune's
// TestTrainMatchesPyTorch), and a longer run that uses the other options:
// text initialisation, a projection, cosine schedule, shuffling, a
// validation share and autosaves.
func runOptions() (parity, long protocol.TrainOptions) {
	parity = protocol.DefaultTrainOptions()
	parity.PrefixLen, parity.Init, parity.LR, parity.Schedule, parity.Warmup = 5, protocol.InitAdapter, 0.01, "linear", 2
	parity.Steps, parity.BatchSize, parity.SeqLen, parity.WeightDecay, parity.Clip = 10, 2, 16, 0.01, 1
	parity.Shuffle, parity.SaveEvery = false, 0
	long = protocol.DefaultTrainOptions()
	long.PrefixLen, long.Init, long.InitText, long.Projection = 4, protocol.InitText, "name[Aromi] food", 16
	long.LR, long.Schedule, long.Warmup, long.Epochs, long.BatchSize, long.SeqLen = 0.005, "cosine", 3, 40, 2, 24
	long.Seed, long.ValFraction, long.SaveEvery = 7, 0.34, 25
	return parity, long
}

func TestEngineInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	page := site(t).URL
	var hubRequests atomic.Int32
	hubURL, stopHub := browsertest.Hub(t, repo, filepath.Join(fixtures, "model"), &hubRequests)
	b, closeBrowser, err := browsertest.Chromium(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeBrowser()

	n := loadNative(t)
	parity, long := runOptions()
	prompt := n.exs[0].Prompt

	if err := chromedp.Do(b, chromedp.Navigate(page+"/")); err != nil {
		t.Fatal(err)
	}
	var p1 phase1Result
	call(t, b, "phase1", &p1, hubURL, prompt, parity, long)
	if !p1.Caps.SIMD || !p1.Caps.Isolated || p1.Caps.Device == "" {
		t.Errorf("capabilities %+v: the page should be isolated and have SIMD", p1.Caps)
	}
	t.Logf("the engine ran on device %q", p1.Caps.Device)
	for what, code := range p1.Errors {
		want := protocol.CodeBadRequest
		if what == "noModelFiles" {
			want = protocol.CodeBadModel
		}
		if code != want {
			t.Errorf("%s: error code %q, want %q", what, code, want)
		}
	}
	if f := p1.FromFiles; f.Fingerprint != p1.Model.Fingerprint || f.Cached || f.Hub != nil {
		t.Errorf("the model from posted files %+v differs from the hub's %+v", f, p1.Model)
	}

	t.Run("load", func(t *testing.T) {
		m := p1.Model
		if m.Name != repo || m.Cached || m.Layers != 2 || m.Heads != 4 || m.Embd != 64 || m.Vocab != 297 || m.Fingerprint == "" {
			t.Errorf("first load %+v", m)
		}
		if !slices.Contains(p1.Phases, protocol.PhaseDownload) || !slices.Contains(p1.Phases, protocol.PhaseWeights) {
			t.Errorf("progress phases %v", p1.Phases)
		}
		if got := hubRequests.Load(); got != 3 {
			t.Errorf("%d hub requests, want 3 (config, tokenizer, weights)", got)
		}
		if p1.Data.Examples != len(n.exs) || p1.Imported.VirtualTokens != 5 {
			t.Errorf("data %+v, adapter %+v", p1.Data, p1.Imported)
		}
		want := tune.Describe(n.exs, n.tok, 16)
		got := p1.Stats
		if got.Examples != want.Examples || got.Tokens != want.Tokens || got.TargetTokens != want.TargetTokens ||
			got.MaxLen != want.MaxLen || got.Truncated != want.Truncated || len(got.Histogram) != len(want.Histogram) {
			t.Errorf("data stats %+v, natively %+v", got, want)
		}
	})

	t.Run("evaluate and generate", func(t *testing.T) {
		var loss, base float64
		gpt2.Fixtures.Expected(t, "eval.loss", &loss)
		gpt2.Fixtures.Expected(t, "eval.base.loss", &base)
		if p1.Eval.Prefixed == nil || p1.Eval.Base == nil || !fixture.Near(p1.Eval.Prefixed.Loss, loss) || !fixture.Near(p1.Eval.Base.Loss, base) {
			t.Errorf("evaluation %+v %+v, PyTorch %g (prefixed) %g (base)", p1.Eval.Prefixed, p1.Eval.Base, loss, base)
		}
		var ids []int
		gpt2.Fixtures.Expected(t, "generate.ids", &ids)
		var streamed strings.Builder
		for _, tk := range p1.Tokens {
			streamed.WriteString(tk.Text)
		}
		if !slices.Equal(p1.Generated.Tokens, ids) || streamed.String() != p1.Generated.Text || len(p1.Tokens) != len(ids) {
			t.Errorf("generated %+v streamed as %q, PyTorch ids %v", p1.Generated, streamed.String(), ids)
		}
	})

	t.Run("estimate", func(t *testing.T) {
		seqs := tune.Sequences(n.exs, n.tok, 16)
		mem := tune.EstimateMemory(n.m.Config, 0, tune.Options{BatchSize: 2, PrefixLen: 5}.Shape(seqs, nil))
		e := p1.Estimate
		if e.TotalBytes != mem.Total() || e.TotalBytes > e.BudgetBytes || e.NotTimed != "" || e.Steps != 10 || !(e.StepSeconds > 0) || e.TotalSeconds != e.StepSeconds*10 {
			t.Errorf("estimate %+v, natively %+v", e, mem)
		}
	})

	t.Run("training matches the native command", func(t *testing.T) {
		log, weights := n.run(t, parity)
		sameLogs(t, "fixture run", p1.Parity.Log, log, false)
		var losses []float64
		gpt2.Fixtures.Expected(t, "train.losses", &losses)
		for i, l := range p1.Parity.Log {
			if !fixture.Near(l.Loss, losses[i]) {
				t.Errorf("step %d: loss %g, PyTorch %g", i+1, l.Loss, losses[i])
			}
		}
		sameWeights(t, "fixture run adapter", p1.Parity.Adapter.Weights, weights)
		cfg, _, err := adapter.Encode(tune.AdapterConfig(n.m.Config, 5, repo), make([]float32, 5*n.m.Config.PrefixWidth()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(p1.Parity.Adapter.Config, cfg) {
			t.Errorf("adapter_config.json:\n%s\nwant\n%s", p1.Parity.Adapter.Config, cfg)
		}
		log, weights = n.run(t, long)
		sameLogs(t, "long run", p1.Whole.Log, log, false)
		sameWeights(t, "long run adapter", p1.Whole.Adapter.Weights, weights)
		if r := p1.Whole.Result; r.Status != protocol.StatusDone || r.Step != 80 || r.ValLoss == nil {
			t.Errorf("long run ended %+v, want 80 steps with a validation loss", r)
		}
	})

	paused := p1.Paused
	if p1.PausedRun.Status != protocol.StatusPaused || paused.Step != p1.PausedRun.Step || paused.Step < 1 || paused.Step >= 80 {
		t.Fatalf("pause: train ended %+v, pause answered %+v", p1.PausedRun, paused)
	}
	t.Logf("paused at step %d", paused.Step)
	sameLogs(t, "paused run", p1.PausedLog, p1.Whole.Log[:paused.Step], true)
	steps := map[string]int{}
	for _, r := range p1.List.Runs {
		steps[r.RunID] = r.Step
	}
	if steps[paused.RunID] != paused.Step || steps[p1.Whole.Result.RunID] != 80 || steps[p1.Parity.Result.RunID] != 10 {
		t.Errorf("saved runs %+v", p1.List.Runs)
	}

	// Reload with the hub gone: the model comes from the Cache API, the run
	// from the origin-private file system.
	stopHub()
	before := hubRequests.Load()
	if err := chromedp.Do(b, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	var p2 phase2Result
	call(t, b, "phase2", &p2, hubURL, paused.RunID, long)
	if !p2.Model.Cached || slices.Contains(p2.Phases, protocol.PhaseDownload) || hubRequests.Load() != before {
		t.Errorf("second load %+v with phases %v and %d more hub requests: want all from the cache", p2.Model, p2.Phases, hubRequests.Load()-before)
	}
	if p2.Model.Fingerprint != p1.Model.Fingerprint {
		t.Errorf("the cached model's fingerprint changed")
	}
	if p2.Loaded.Run.Step != paused.Step || len(p2.List.Runs) < 3 {
		t.Errorf("loaded checkpoint %+v from the list %+v", p2.Loaded.Run, p2.List.Runs)
	}
	sameLogs(t, "loaded history", p2.Loaded.History, p1.PausedLog, true)
	if p2.Resumed.Status != protocol.StatusDone || p2.Resumed.Step != 80 {
		t.Errorf("resumed run ended %+v", p2.Resumed)
	}
	sameLogs(t, "paused and resumed run", append(p1.PausedLog, p2.ResumedLog...), p1.Whole.Log, true)
	if !bytes.Equal(p2.Adapter.Weights, p1.Whole.Adapter.Weights) || !bytes.Equal(p2.Adapter.Config, p1.Whole.Adapter.Config) {
		t.Errorf("the resumed run's adapter differs from the uninterrupted run's")
	}
	if p2.CancelCode != protocol.CodeCancelled {
		t.Errorf("a cancelled run ended with %q", p2.CancelCode)
	}
	if p2.Errors["gone"] != protocol.CodeBadRequest {
		t.Errorf("loading a deleted run: %q", p2.Errors["gone"])
	}
}
