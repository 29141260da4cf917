// Package demo checks the bundled demo model and sample datasets: the model
// loads natively and on the SIMD kernels (wazero) and reproduces the loss
// its card records, and a short prefix-tuning run on the smallest dataset
// clearly beats the untuned model.
package demo

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
	"prefixtune/core/train"
	"prefixtune/core/tune"
	"prefixtune/wasm/kernels"
)

var (
	root = filepath.Join("..", "..")
	demo = filepath.Join(root, "public", "models", "demo")
)

// loss is the mean target-token loss of the base model on the file
// check.json names, on device d.
func loss(t *testing.T, d tensor.Device, path string) (float64, int) {
	m, err := model.Load(d, demo)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(demo)
	if err != nil {
		t.Fatal(err)
	}
	exs, err := data.Read(path, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	T, err := tune.SeqLen(m.Config, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	seqs := tune.Sequences(exs, tok, T)
	tr := train.New(m, prefix.New(m, 0, 0), train.Options{}, model.Shape{B: 8, T: tune.Longest(seqs)})
	l, n, err := tune.MeanLoss(tr.Loss, seqs, 8, int32(tok.EOS()))
	if err != nil {
		t.Fatal(err)
	}
	return l, n
}

func TestDemoModelReproducesItsCard(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(demo, "check.json"))
	if err != nil {
		t.Fatal(err)
	}
	var check struct {
		Data   string
		Loss   float64
		Tokens int
	}
	if err := json.Unmarshal(b, &check); err != nil {
		t.Fatal(err)
	}
	wz, err := kernels.NewWazero(2)
	if err != nil {
		t.Fatal(err)
	}
	defer wz.Close()
	for _, d := range []tensor.Device{tensor.NewFast(0), wz} {
		got, n := loss(t, d, filepath.Join(root, check.Data))
		if math.Abs(got-check.Loss) > 1e-4*check.Loss || n != check.Tokens {
			t.Errorf("%s: loss %.6f over %d tokens, the card records %.6f over %d", d.Name(), got, n, check.Loss, check.Tokens)
		}
	}
}

// TestTwoPrefixesHelp tunes two prefixes of the demo model in one loop,
// on the smallest sample dataset and on the classification one, for a few
// dozen steps each: each must bring its own task's validation loss clearly
// below the untuned model's.
func TestTwoPrefixesHelp(t *testing.T) {
	m, tok := load(t)
	o := tune.Options{PrefixLen: 10, LR: 2e-2, Schedule: train.Constant, Steps: 30, BatchSize: 8, Clip: 1, Seed: 1, Shuffle: true}
	base := train.New(m, prefix.New(m, 0, 0), train.Options{}, model.Shape{B: 8, T: 96})
	var multi tune.Multi
	var before []float64
	for _, name := range []string{"devil-definitions", "fortune-categories"} {
		trainSeqs, val := split(t, tok, name, "train.jsonl", 400), split(t, tok, name, "validation.jsonl", 40)
		b, _, err := tune.MeanLoss(base.Loss, val, 8, int32(tok.EOS()))
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, b)
		p, err := tune.NewPrefix(m, o, tune.Init{Text: encode(tok, "word: lantern definition: a light")}, 1)
		if err != nil {
			t.Fatal(err)
		}
		r, err := tune.New(m, p, trainSeqs, val, int32(tok.EOS()), o)
		if err != nil {
			t.Fatal(err)
		}
		multi.Runs = append(multi.Runs, r)
	}
	for !multi.Done() {
		if _, _, err := multi.Step(); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range multi.Runs {
		after, _, err := tune.MeanLoss(r.Trainer.Loss, r.Val, 8, int32(tok.EOS()))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("task %d: validation loss untuned %.3f, tuned %.3f", i+1, before[i], after)
		if after > before[i]-margin {
			t.Errorf("task %d: a tuned prefix reached validation loss %.3f, the untuned model %.3f: want at least %.2f lower", i+1, after, before[i], margin)
		}
	}
}

// TestEarlyStoppingOnADataset validates every few steps with a learning
// rate far too high: early stopping must trigger and the run must end on
// the prefix of its best validation.
func TestEarlyStoppingOnADataset(t *testing.T) {
	m, tok := load(t)
	trainSeqs, val := split(t, tok, "devil-definitions", "train.jsonl", 200), split(t, tok, "devil-definitions", "validation.jsonl", 24)
	o := tune.Options{PrefixLen: 10, LR: 0.3, Schedule: train.Constant, Steps: 80, BatchSize: 8, Seed: 2, Shuffle: true,
		ValEvery: 4, Patience: 2, RestoreBest: true}
	p, err := tune.NewPrefix(m, o, tune.Init{Text: encode(tok, "word: lantern definition: a light")}, 2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tune.New(m, p, trainSeqs, val, int32(tok.EOS()), o)
	if err != nil {
		t.Fatal(err)
	}
	for !r.Done() {
		if _, err := r.Step(); err != nil {
			t.Fatal(err)
		}
	}
	best, bestLoss := r.Best()
	if !r.Stopped || r.Finish() != best || r.Trainer.Step() >= o.Steps {
		t.Fatalf("stopped %v at step %d with the best validation at step %d: want an early stop", r.Stopped, r.Trainer.Step(), best)
	}
	after, _, err := tune.MeanLoss(r.Trainer.Loss, val, 8, int32(tok.EOS()))
	if err != nil {
		t.Fatal(err)
	}
	if after != bestLoss {
		t.Errorf("the restored prefix has validation loss %.6f, the best was %.6f", after, bestLoss)
	}
	t.Logf("stopped at step %d, restored step %d (validation loss %.4f)", r.Trainer.Step(), best, bestLoss)
}

func load(t *testing.T) (*model.Model, *tokenizer.Tokenizer) {
	m, err := model.Load(tensor.NewFast(0), demo)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(demo)
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

// split reads the first n rows of a split of a sample dataset as sequences.
func split(t *testing.T, tok *tokenizer.Tokenizer, dataset, file string, n int) []data.Sequence {
	exs, err := data.Read(filepath.Join(root, "public", "datasets", dataset, file), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tune.Sequences(exs[:min(n, len(exs))], tok, 96)
}

// margin is how much lower the tuned validation loss must be: at least 5%
// lower perplexity. (Measured: about 0.1 on the Bierce definitions, which
// the small model finds hard, and about 3 on the quote categories.)
const margin = 0.05

func encode(tok *tokenizer.Tokenizer, s string) []int32 {
	var ids []int32
	for _, id := range tok.Encode(s) {
		ids = append(ids, int32(id))
	}
	return ids
}
