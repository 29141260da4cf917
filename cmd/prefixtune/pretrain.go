package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
	"prefixtune/core/train"
	"prefixtune/core/tune"
)

// cmdPretrain trains every weight of a fresh GPT-2 on a text corpus: how
// the bundled demo model is made.
func cmdPretrain(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("pretrain", flag.ContinueOnError)
	fl.SetOutput(stderr)
	corpus := fl.String("corpus", "", "comma-separated plain-text `FILES` (documents separated by blank lines)")
	tokPath := fl.String("tokenizer", "", "tokenizer.json")
	out := fl.String("out", "", "`DIR` to write the model to (Hugging Face layout)")
	L := fl.Int("layers", 4, "transformer layers")
	NH := fl.Int("heads", 4, "attention heads")
	C := fl.Int("embd", 256, "embedding size")
	ctx := fl.Int("ctx", 256, "positions (context length)")
	steps := fl.Int("steps", 1000, "optimiser steps")
	B := fl.Int("batch-size", 16, "windows per step")
	T := fl.Int("seq-len", 128, "tokens per window")
	lr := fl.Float64("lr", 1e-3, "peak learning rate")
	warmup := fl.Int("warmup", 100, "warm-up steps")
	wd := fl.Float64("weight-decay", 0.1, "AdamW decoupled weight decay")
	clip := fl.Float64("clip", 1, "maximum global gradient norm")
	seed := fl.Uint64("seed", 0, "seed for the weights and the windows")
	valFrac := fl.Float64("val-frac", 0.01, "share of documents held out for validation")
	evalEvery := fl.Int("eval-every", 250, "validate every N steps")
	ckpt := fl.String("checkpoint", "", "checkpoint `FILE`, written every --checkpoint-every steps and resumed from when it exists")
	ckptEvery := fl.Int("checkpoint-every", 100, "steps between checkpoints")
	dtype := fl.String("dtype", "F16", "stored weight type: F32, F16 or BF16")
	stopAfter := fl.Int("stop-after", 0, "stop after N steps in this run, leaving the checkpoint to resume from (0: run to the end)")
	threads := fl.Int("threads", 0, "compute threads (0: all cores)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *corpus == "" || *tokPath == "" || *out == "" {
		return fmt.Errorf("--corpus, --tokenizer and --out are required")
	}
	if *stopAfter > 0 && *ckpt == "" {
		return fmt.Errorf("--stop-after needs --checkpoint, to resume from later")
	}
	tok, err := tokenizer.Load(*tokPath)
	if err != nil {
		return err
	}
	if tok.EOS() < 0 {
		return fmt.Errorf("%s: the tokenizer needs an end-of-text token to separate documents", *tokPath)
	}
	trainToks, valToks, err := corpusStreams(strings.Split(*corpus, ","), tok, *valFrac)
	if err != nil {
		return err
	}
	cfg := model.Config{ModelType: "gpt2", NLayer: *L, NHead: *NH, NEmbd: *C, NPositions: *ctx,
		VocabSize: tok.VocabSize(), LayerNorm: 1e-5, Activation: "gelu_new", EOSTokenID: tok.EOS()}
	m, err := model.New(tensor.NewFast(*threads), cfg)
	if err != nil {
		return err
	}
	m.InitRandom(*seed)
	fmt.Fprintf(stderr, "pretraining %d parameters on %d tokens (%d held out)\n", model.NumParams(cfg), len(trainToks), len(valToks))
	opts := train.Options{LR: *lr, Schedule: train.Cosine, Warmup: *warmup, Steps: *steps, WeightDecay: *wd, Clip: *clip}
	tr := train.NewPretrainer(m, opts, model.Shape{B: *B, T: *T})
	if *ckpt != "" {
		switch c, err := train.ReadCheckpoint(*ckpt); {
		case err == nil:
			if err := tr.Restore(c); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "resumed from %s at step %d\n", *ckpt, c.Step)
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
	}
	stream := data.Stream{Tokens: trainToks, T: *T, Seed: *seed}
	val := data.Stream{Tokens: valToks, T: *T}.Windows(64)
	enc := json.NewEncoder(stdout)
	start, first := time.Now(), tr.Step()
	for tr.Step() < *steps {
		if *stopAfter > 0 && tr.Step()-first == *stopAfter {
			if err := train.WriteCheckpoint(*ckpt, tr.Checkpoint(nil)); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "stopped at step %d; run the same command again to resume\n", tr.Step())
			return nil
		}
		b, err := stream.Batch(tr.Step(), *B)
		if err != nil {
			return err
		}
		r, err := tr.TrainStep(tune.Batch(b))
		if err != nil {
			return err
		}
		entry := tune.Step{Step: r.Step, Loss: r.Loss, LR: r.LR, Tokens: r.Tokens, GradNorm: r.GradNorm}
		if len(val) > 0 && (r.Step%*evalEvery == 0 || r.Step == *steps) {
			v, _, err := tune.MeanLoss(tr.Loss, val, *B, 0)
			if err != nil {
				return err
			}
			entry.ValLoss = &v
		}
		if err := enc.Encode(entry); err != nil {
			return err
		}
		if v := entry.ValLoss; v != nil {
			fmt.Fprintf(stderr, "step %d/%d  loss %.4f  val loss %.4f (ppl %.2f)  %.0fs\n", r.Step, *steps, r.Loss, *v, math.Exp(*v), time.Since(start).Seconds())
			// The latest validated weights are always on disk.
			if err := saveModel(m, *out, *dtype, *tokPath); err != nil {
				return err
			}
		}
		if *ckpt != "" && (r.Step%*ckptEvery == 0 || r.Step == *steps) {
			if err := train.WriteCheckpoint(*ckpt, tr.Checkpoint(nil)); err != nil {
				return err
			}
		}
	}
	return saveModel(m, *out, *dtype, *tokPath)
}

// saveModel writes m and its tokenizer as a Hugging Face directory.
func saveModel(m *model.Model, dir, dtype, tokPath string) error {
	if err := m.Save(dir, safetensors.DType(strings.ToUpper(dtype))); err != nil {
		return err
	}
	raw, err := os.ReadFile(tokPath)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "tokenizer.json"), raw, 0o644)
}

// corpusStreams reads documents from plain-text files and returns the
// token streams (documents joined by EOS) of the training part and of the
// held-out part: every (1/valFrac)-th document, so that every source is
// represented.
func corpusStreams(paths []string, tok *tokenizer.Tokenizer, valFrac float64) (trainToks, valToks []int32, err error) {
	var docs []data.Example
	for _, p := range paths {
		exs, err := data.Read(p, data.Options{TextColumn: "text"})
		if err != nil {
			return nil, nil, err
		}
		docs = append(docs, exs...)
	}
	every := 0
	if valFrac > 0 {
		every = max(2, int(math.Round(1/valFrac)))
	}
	for i, d := range docs {
		dst := &trainToks
		if every > 0 && i%every == every-1 {
			dst = &valToks
		}
		for _, id := range tok.Encode(d.Completion) {
			*dst = append(*dst, int32(id))
		}
		*dst = append(*dst, int32(tok.EOS()))
	}
	return trainToks, valToks, nil
}
