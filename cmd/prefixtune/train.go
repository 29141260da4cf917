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
	"prefixtune/core/train"
	"prefixtune/core/tune"
	"prefixtune/core/tune/presets"
)

func cmdTrain(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := tune.Options{}
	modelDir := fs.String("model", "", "model `DIR` (config.json, model.safetensors, tokenizer.json)")
	dataPath := fs.String("data", "", "training data `FILE` (.jsonl, .csv, .txt); comma-separated files train one prefix per task in one loop")
	df := addDataFlags(fs, true)
	clean := fs.Bool("clean", false, "clean the training data first: trim, drop empty rows, rows longer than --seq-len, exact and near duplicates (report on stderr)")
	fs.IntVar(&def.PrefixLen, "prefix-len", 10, "number of virtual tokens P")
	out := fs.String("out", "", "`DIR` to write the PEFT adapter to (one per --data file, comma-separated)")
	init := fs.String("init", "random", "initialisation: random, text:STRING or adapter:DIR")
	fs.IntVar(&def.Projection, "projection", 0, "hidden size `E` of the MLP reparameterisation (0: none)")
	fs.Float64Var(&def.LR, "lr", 0, "peak learning rate (default 5e-3, or 5e-5 with --projection)")
	schedule := fs.String("schedule", "linear", "learning-rate schedule: constant, linear or cosine")
	fs.IntVar(&def.Warmup, "warmup", 0, "warm-up steps")
	fs.IntVar(&def.Steps, "steps", 0, "optimiser steps (overrides --epochs)")
	fs.IntVar(&def.Epochs, "epochs", 5, "passes over the data")
	fs.IntVar(&def.BatchSize, "batch-size", 5, "examples per step")
	T := fs.Int("seq-len", 0, "tokens per example (prompt + completion + EOS), cut at the end (0: 128, or fewer if the model is shorter)")
	fs.Float64Var(&def.WeightDecay, "weight-decay", 0, "AdamW decoupled weight decay")
	fs.Float64Var(&def.Clip, "clip", 1, "maximum global gradient norm (0: no clipping)")
	fs.Uint64Var(&def.Seed, "seed", 0, "seed for initialisation and shuffling")
	noShuffle := fs.Bool("no-shuffle", false, "keep the file order in every epoch")
	val := fs.String("val", "", "validation data `FILE` (one per --data file), evaluated after every epoch (or --val-every steps) and at the end")
	fs.IntVar(&def.ValEvery, "val-every", 0, "validate every N steps (0: after every epoch)")
	fs.IntVar(&def.Patience, "patience", 0, "stop after N validations without a new best (0: never stop early)")
	fs.BoolVar(&def.RestoreBest, "restore-best", false, "write the prefix of the best validation, not the last")
	preset := fs.String("preset", "", "start from the settings of `NAME` (quick, generation, generation-mlp, summarization, summarization-mlp, classification, classification-mlp); flags given override them")
	logJSON := fs.Bool("log-json", false, "print one JSON object per optimiser step to stdout")
	threads := fs.Int("threads", 0, "compute threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required: the directory to write the adapter to")
	}
	if *preset != "" {
		if err := applyPreset(fs, *preset, &def, schedule); err != nil {
			return err
		}
	}
	sched, err := train.ParseSchedule(*schedule)
	if err != nil {
		return err
	}
	def.Schedule, def.Shuffle = sched, !*noShuffle
	if err := def.Validate(); err != nil {
		return err
	}
	l, err := loadModel(*modelDir, *threads)
	if err != nil {
		return err
	}
	seqLen, err := tune.SeqLen(l.m.Config, *T, def.PrefixLen)
	if err != nil {
		return fmt.Errorf("--seq-len: %w", err)
	}
	datas, outs, vals := strings.Split(*dataPath, ","), strings.Split(*out, ","), []string(nil)
	if *val != "" {
		vals = strings.Split(*val, ",")
	}
	if len(outs) != len(datas) || (vals != nil && len(vals) != len(datas)) {
		return fmt.Errorf("give one --out directory (and one --val file, if any) per --data file: %d data, %d out, %d val", len(datas), len(outs), len(vals))
	}
	in, err := l.parseInit(*init)
	if err != nil {
		return err
	}
	var multi tune.Multi
	for i, path := range datas {
		exs, err := df.readRaw(path)
		if err != nil {
			return err
		}
		if *clean {
			var rep data.CleanReport
			exs, rep = data.Clean(exs, l.tok, data.CleanOptions{MaxTokens: seqLen - df.overhead(l.tok), Near: nearDup})
			fmt.Fprintf(stderr, "%s: cleaned: %s\n", path, cleanText(rep))
			if len(exs) == 0 {
				return fmt.Errorf("%s: no rows left after cleaning", path)
			}
		}
		if exs, err = df.format(exs); err != nil {
			return err
		}
		seqs := tune.Sequences(exs, l.tok, seqLen)
		var valSeqs []data.Sequence
		if vals != nil {
			valExs, err := df.read(vals[i])
			if err != nil {
				return err
			}
			warnLeaks(stderr, vals[i], path, exs, valExs)
			valSeqs = tune.Sequences(valExs, l.tok, seqLen)
		}
		p, err := tune.NewPrefix(l.m, def, in, def.Seed)
		if err != nil {
			return err
		}
		run, err := tune.New(l.m, p, seqs, valSeqs, int32(l.tok.EOS()), def)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		multi.Runs = append(multi.Runs, run)
	}
	enc := json.NewEncoder(stdout)
	start := time.Now()
	for !multi.Done() {
		task, st, err := multi.Step()
		if err != nil {
			return err
		}
		if len(datas) == 1 {
			task = -1 // the task is only named in multi-task logs
		}
		if *logJSON {
			line := struct {
				Task int `json:"task,omitempty"`
				tune.Step
			}{task + 1, st}
			if err := enc.Encode(line); err != nil {
				return err
			}
			continue
		}
		valText := ""
		if st.Recovered {
			valText = "  (not finite: undone, learning rate halved)"
		}
		if st.ValLoss != nil {
			valText = fmt.Sprintf("  val loss %.4f (ppl %.2f)", *st.ValLoss, math.Exp(*st.ValLoss))
		}
		fmt.Fprintf(stderr, "%sstep %d/%d  loss %.4f  lr %.3g%s  %.1fs\n", taskText(task), st.Step, multi.Runs[max(task, 0)].Steps, st.Loss, st.LR, valText, time.Since(start).Seconds())
	}
	base := strings.TrimRight(*modelDir, "/")
	for i, run := range multi.Runs {
		if end := run.Finish(); run.Stopped || end != run.Trainer.Step() {
			best, loss := run.Best()
			fmt.Fprintf(stderr, "%s: stopped early: %v; writing the prefix of step %d (best validation loss %.4f at step %d)\n", datas[i], run.Stopped, end, loss, best)
		}
		p := run.Trainer.Prefix
		if err := adapter.Write(outs[i], tune.AdapterConfig(l.m.Config, p.P, base), p.Rows(l.m.Dev)); err != nil {
			return err
		}
		if !*logJSON {
			fmt.Fprintf(stderr, "wrote the adapter to %s\n", outs[i])
		}
	}
	return nil
}

// applyPreset sets the options of preset name that no flag gave.
func applyPreset(fs *flag.FlagSet, name string, o *tune.Options, schedule *string) error {
	p, err := presets.Find(name)
	if err != nil {
		return fmt.Errorf("--preset: %w", err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, f := range []struct {
		flag string
		set  func()
	}{
		{"prefix-len", func() { o.PrefixLen = p.PrefixLen }},
		{"projection", func() { o.Projection = p.Projection }},
		{"lr", func() { o.LR = p.LR }},
		{"schedule", func() { *schedule = p.Schedule }},
		{"warmup", func() { o.Warmup = p.Warmup }},
		{"epochs", func() { o.Epochs = p.Epochs }},
		{"steps", func() { o.Steps = p.Steps }},
		{"batch-size", func() { o.BatchSize = p.BatchSize }},
	} {
		if !given[f.flag] {
			f.set()
		}
	}
	return nil
}

// taskText names task i in progress lines (nothing for a single task).
func taskText(i int) string {
	if i < 0 {
		return ""
	}
	return fmt.Sprintf("task %d  ", i+1)
}

// parseInit reads --init.
func (l *loaded) parseInit(how string) (tune.Init, error) {
	kind, arg, _ := strings.Cut(how, ":")
	switch kind {
	case "random":
		return tune.Init{}, nil
	case "text":
		return tune.Init{Text: l.encode(arg)}, nil
	case "adapter":
		cfg, rows, err := adapter.Read(arg)
		if err != nil {
			return tune.Init{}, err
		}
		return tune.Init{Adapter: &cfg, Rows: rows}, nil
	}
	return tune.Init{}, fmt.Errorf("--init %q: use random, text:STRING or adapter:DIR", how)
}
