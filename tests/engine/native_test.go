package engine

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"prefixtune/tests/reference/fixture"
	"testing"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/protocol"
	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
	"prefixtune/core/train"
	"prefixtune/core/tune"
)

// native is the reference model, tokenizer and data on the native device.
type native struct {
	m   *model.Model
	tok *tokenizer.Tokenizer
	exs []data.Example
}

func loadNative(t *testing.T) native {
	t.Helper()
	m, err := model.Load(tensor.NewFast(1), filepath.Join(fixtures, "model"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(filepath.Join(fixtures, "model"))
	if err != nil {
		t.Fatal(err)
	}
	exs, err := data.Read(filepath.Join(fixtures, "data.jsonl"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return native{m, tok, exs}
}

// nativeRun is what `prefixtune train` does with protocol options o (the
// engine's conversion, written out again), starting from the fixture's
// init_adapter for Init "adapter". It returns every step and the adapter
// weights file.
func (n native) run(t *testing.T, o protocol.TrainOptions) ([]protocol.StepLog, []byte) {
	t.Helper()
	sched, err := train.ParseSchedule(o.Schedule)
	if err != nil {
		t.Fatal(err)
	}
	to := tune.Options{PrefixLen: o.PrefixLen, Projection: o.Projection, LR: o.LR, Schedule: sched, Warmup: o.Warmup,
		Steps: o.Steps, Epochs: o.Epochs, BatchSize: o.BatchSize, WeightDecay: o.WeightDecay, Clip: o.Clip, Seed: o.Seed,
		Shuffle: o.Shuffle}
	T, err := tune.SeqLen(n.m.Config, o.SeqLen, o.PrefixLen)
	if err != nil {
		t.Fatal(err)
	}
	exs, val := n.exs, []data.Example(nil)
	if o.ValFraction > 0 {
		if exs, val, err = data.Split(exs, o.ValFraction, o.Seed); err != nil {
			t.Fatal(err)
		}
	}
	var init tune.Init
	switch o.Init {
	case protocol.InitAdapter:
		cfg, rows, err := adapter.Read(filepath.Join(fixtures, "init_adapter"))
		if err != nil {
			t.Fatal(err)
		}
		init = tune.Init{Adapter: &cfg, Rows: rows}
	case protocol.InitText:
		for _, id := range n.tok.Encode(o.InitText) {
			init.Text = append(init.Text, int32(id))
		}
	}
	p, err := tune.NewPrefix(n.m, to, init, o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tune.New(n.m, p, tune.Sequences(exs, n.tok, T), tune.Sequences(val, n.tok, T), int32(n.tok.EOS()), to)
	if err != nil {
		t.Fatal(err)
	}
	var log []protocol.StepLog
	for !r.Done() {
		s, err := r.Step()
		if err != nil {
			t.Fatal(err)
		}
		log = append(log, protocol.StepLog{Step: s.Step, Loss: s.Loss, LR: s.LR, Tokens: s.Tokens, GradNorm: s.GradNorm, ValLoss: s.ValLoss})
	}
	_, weights, err := adapter.Encode(tune.AdapterConfig(n.m.Config, p.P, "test/tiny-gpt2"), p.Rows(n.m.Dev))
	if err != nil {
		t.Fatal(err)
	}
	return log, weights
}

// initAdapter is the fixture's adapter as a prefix.
func (n native) initAdapter(t *testing.T) *prefix.Prefix {
	t.Helper()
	cfg, rows, err := adapter.Read(filepath.Join(fixtures, "init_adapter"))
	if err != nil {
		t.Fatal(err)
	}
	p := prefix.New(n.m, cfg.NumVirtualTokens, 0)
	if err := p.InitRows(n.m, rows); err != nil {
		t.Fatal(err)
	}
	return p
}

// sameLogs compares two step logs within tolerance, or exactly.
func sameLogs(t *testing.T, what string, got, want []protocol.StepLog, exact bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d steps, want %d", what, len(got), len(want))
		return
	}
	eq := fixture.Near
	if exact {
		eq = func(a, b float64) bool { return a == b }
	}
	for i, g := range got {
		w := want[i]
		ok := g.Step == w.Step && g.Tokens == w.Tokens && eq(g.Loss, w.Loss) && eq(g.LR, w.LR) && eq(g.GradNorm, w.GradNorm) &&
			(g.ValLoss == nil) == (w.ValLoss == nil) && (g.ValLoss == nil || eq(*g.ValLoss, *w.ValLoss))
		if !ok {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			t.Errorf("%s: step %d is %s, want %s", what, i+1, gj, wj)
			return
		}
	}
}

// sameWeights compares two adapter_model.safetensors within tolerance.
func sameWeights(t *testing.T, what string, got, want []byte) {
	t.Helper()
	g, err := promptOf(got)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	w, err := promptOf(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != len(w) {
		t.Fatalf("%s: %d values, want %d", what, len(g), len(w))
	}
	for i := range w {
		if !fixture.Near(float64(g[i]), float64(w[i])) {
			t.Fatalf("%s: value %d is %g, natively %g", what, i, g[i], w[i])
		}
	}
}

// promptOf reads prompt_embeddings from adapter_model.safetensors bytes.
func promptOf(weights []byte) ([]float32, error) {
	f, err := safetensors.Parse(bytes.NewReader(weights), int64(len(weights)))
	if err != nil {
		return nil, err
	}
	return f.Float32(adapter.TensorName)
}
