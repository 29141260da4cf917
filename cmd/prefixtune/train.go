package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/train"
)

func cmdTrain(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelDir := fs.String("model", "", "model `DIR` (config.json, model.safetensors, tokenizer.json)")
	dataPath := fs.String("data", "", "training data `FILE` (.jsonl, .csv, .txt)")
	P := fs.Int("prefix-len", 10, "number of virtual tokens P")
	out := fs.String("out", "", "`DIR` to write the PEFT adapter to")
	init := fs.String("init", "random", "initialisation: random, text:STRING or adapter:DIR")
	E := fs.Int("projection", 0, "hidden size `E` of the MLP reparameterisation (0: none)")
	lr := fs.Float64("lr", 0, "peak learning rate (default 5e-3, or 5e-5 with --projection)")
	schedule := fs.String("schedule", "linear", "learning-rate schedule: constant, linear or cosine")
	warmup := fs.Int("warmup", 0, "warm-up steps")
	steps := fs.Int("steps", 0, "optimiser steps (overrides --epochs)")
	epochs := fs.Int("epochs", 5, "passes over the data")
	B := fs.Int("batch-size", 5, "examples per step")
	T := fs.Int("seq-len", 0, "tokens per example (prompt + completion + EOS), cut at the end (0: 128, or fewer if the model is shorter)")
	wd := fs.Float64("weight-decay", 0, "AdamW decoupled weight decay")
	clip := fs.Float64("clip", 1, "maximum global gradient norm (0: no clipping)")
	seed := fs.Uint64("seed", 0, "seed for initialisation and shuffling")
	noShuffle := fs.Bool("no-shuffle", false, "keep the file order in every epoch")
	val := fs.String("val", "", "validation data `FILE`, evaluated after every epoch and at the end")
	logJSON := fs.Bool("log-json", false, "print one JSON object per optimiser step to stdout")
	threads := fs.Int("threads", 0, "compute threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required: the directory to write the adapter to")
	}
	if *P < 1 {
		return fmt.Errorf("--prefix-len must be at least 1")
	}
	sched, err := train.ParseSchedule(*schedule)
	if err != nil {
		return err
	}
	l, err := loadModel(*modelDir, *threads)
	if err != nil {
		return err
	}
	seqLen, err := l.seqLen(*T, *P)
	if err != nil {
		return err
	}
	seqs, err := l.readSeqs(*dataPath, seqLen)
	if err != nil {
		return err
	}
	var valSeqs []data.Sequence
	if *val != "" {
		if valSeqs, err = l.readSeqs(*val, seqLen); err != nil {
			return err
		}
	}
	p := prefix.New(l.m, *P, *E)
	if err := initPrefix(l, p, *init, *seed); err != nil {
		return err
	}
	loader := &data.Loader{Seqs: seqs, BatchSize: *B, Shuffle: !*noShuffle, Seed: *seed, Pad: int32(l.tok.EOS())}
	total := *steps
	if total <= 0 {
		total = *epochs * loader.StepsPerEpoch()
	}
	if *lr == 0 {
		*lr = 5e-3
		if *E > 0 {
			*lr = 5e-5
		}
	}
	opts := train.Options{LR: *lr, Schedule: sched, Warmup: *warmup, Steps: total, WeightDecay: *wd, Clip: *clip}
	tr := train.New(l.m, p, opts, model.Shape{B: *B, T: longest(seqs, valSeqs)})
	enc := json.NewEncoder(stdout)
	start := time.Now()
	for s := 0; s < total; s++ {
		b, err := loader.Batch(s)
		if err != nil {
			return err
		}
		r, err := tr.TrainStep(batch(b))
		if err != nil {
			return err
		}
		entry := stepLog{Step: r.Step, Loss: r.Loss, LR: r.LR, Tokens: r.Tokens, GradNorm: r.GradNorm}
		if len(valSeqs) > 0 && (r.Step%loader.StepsPerEpoch() == 0 || r.Step == total) {
			v, err := meanLoss(tr.Loss, valSeqs, *B, int32(l.tok.EOS()))
			if err != nil {
				return err
			}
			entry.ValLoss = &v
		}
		if *logJSON {
			if err := enc.Encode(entry); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(stderr, "step %d/%d  loss %.4f  lr %.3g%s  %.1fs\n", r.Step, total, r.Loss, r.LR, entry.valText(), time.Since(start).Seconds())
		}
	}
	base := strings.TrimRight(*modelDir, "/")
	if err := adapter.Write(*out, l.adapterConfig(p, base), p.Rows(l.m.Dev)); err != nil {
		return err
	}
	if !*logJSON {
		fmt.Fprintf(stderr, "wrote the adapter to %s\n", *out)
	}
	return nil
}

// stepLog is one line of --log-json.
type stepLog struct {
	Step     int      `json:"step"`
	Loss     float64  `json:"loss"`
	LR       float64  `json:"lr"`
	Tokens   int      `json:"tokens"`
	GradNorm float64  `json:"grad_norm"`
	ValLoss  *float64 `json:"val_loss,omitempty"`
}

func (s stepLog) valText() string {
	if s.ValLoss == nil {
		return ""
	}
	return fmt.Sprintf("  val loss %.4f (ppl %.2f)", *s.ValLoss, math.Exp(*s.ValLoss))
}

// initPrefix applies --init.
func initPrefix(l *loaded, p *prefix.Prefix, how string, seed uint64) error {
	kind, arg, _ := strings.Cut(how, ":")
	switch kind {
	case "random":
		p.InitRandom(l.m, seed)
		return nil
	case "text":
		return p.InitFromText(l.m, l.encode(arg), seed)
	case "adapter":
		cfg, rows, err := adapter.Read(arg)
		if err != nil {
			return err
		}
		if cfg.NumVirtualTokens != p.P {
			return fmt.Errorf("%s: the adapter has %d virtual tokens but --prefix-len is %d", arg, cfg.NumVirtualTokens, p.P)
		}
		return p.InitRows(l.m, rows)
	}
	return fmt.Errorf("--init %q: use random, text:STRING or adapter:DIR", how)
}
