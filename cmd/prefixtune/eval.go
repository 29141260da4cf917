package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"prefixtune/core/data"
	"prefixtune/core/evaluate"
	"prefixtune/core/metrics"
	"prefixtune/core/model"
	"prefixtune/core/tune"
)

func cmdEval(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelDir := fs.String("model", "", "model `DIR`")
	dataPath := fs.String("data", "", "evaluation data `FILE` (.jsonl, .csv, .txt)")
	df := addDataFlags(fs, true)
	adapterDir := fs.String("adapter", "", "PEFT prefix adapter `DIR` (none: the base model); comma-separated adapters are compared side by side")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	report := fs.String("report", "", "also write a Markdown report to `FILE`")
	gen := fs.Bool("generate", false, "generate greedily for every prompt: BLEU, ROUGE-L, exact match")
	maxNew := fs.Int("max-new-tokens", 64, "tokens generated at most per prompt")
	labels := fs.String("labels", "", "classification: comma-separated candidate labels, or \"auto\" for the distinct completions of the data")
	numeric := fs.Bool("numeric", false, "completions are numbers: RMSE and MAE of the generations")
	baselines := fs.Bool("baselines", false, "with --adapter, also evaluate the base model zero-shot (and few-shot with --shots)")
	shots := fs.Int("shots", 0, "few-shot baseline: K examples from --train written before every prompt")
	trainPath := fs.String("train", "", "training data `FILE`: the few-shot examples come from it, and evaluation rows also in it are reported")
	samples := fs.Int("samples", 5, "generated samples shown in the report")
	resamples := fs.Int("bootstrap", 1000, "bootstrap resamples for the confidence intervals")
	seed := fs.Uint64("seed", 1, "seed for the bootstrap and for choosing few-shot examples")
	B := fs.Int("batch-size", 8, "examples per forward pass")
	T := fs.Int("seq-len", 0, "tokens per example, cut at the end (0: 128, or fewer if the model is shorter)")
	threads := fs.Int("threads", 0, "compute threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *shots > 0 && *trainPath == "" {
		return fmt.Errorf("--shots needs --train, the file the examples come from")
	}
	l, err := loadModel(*modelDir, *threads)
	if err != nil {
		return err
	}
	type run struct {
		name string
		pre  model.Prefix
		shot []data.Example
	}
	var runs []run
	if *adapterDir == "" || *baselines {
		runs = append(runs, run{name: "base, zero-shot"})
	}
	var trainExs []data.Example
	if *trainPath != "" {
		if trainExs, err = df.read(*trainPath); err != nil {
			return err
		}
	}
	if *shots > 0 {
		shotExs, err := evaluate.FewShot(trainExs, *shots, *seed)
		if err != nil {
			return fmt.Errorf("--shots: %s: %w", *trainPath, err)
		}
		runs = append(runs, run{name: fmt.Sprintf("base, %d-shot", *shots), shot: shotExs})
	}
	P := 0
	if *adapterDir != "" {
		dirs := strings.Split(*adapterDir, ",")
		for _, dir := range dirs {
			p, err := l.loadAdapter(dir)
			if err != nil {
				return err
			}
			P = max(P, p.P)
			name := "prefix"
			if len(dirs) > 1 {
				name = "prefix " + dir
			}
			runs = append(runs, run{name: name, pre: p.Out})
		}
	}
	seqLen, err := tune.SeqLen(l.m.Config, *T, P)
	if err != nil {
		return fmt.Errorf("--seq-len: %w", err)
	}
	exs, err := df.read(*dataPath)
	if err != nil {
		return err
	}
	if trainExs != nil {
		warnLeaks(stderr, *dataPath, *trainPath, trainExs, exs)
	}
	o := evaluate.Options{BatchSize: *B, SeqLen: seqLen, Generate: *gen, MaxNew: *maxNew, Numeric: *numeric,
		Samples: *samples, Bootstrap: metrics.BootstrapConfig{Resamples: *resamples, Level: 0.95, Seed: *seed}}
	if *labels != "" {
		o.Labels = labelSet(*labels, exs)
	}
	var reports []evaluate.Report
	for _, r := range runs {
		o.Shots = r.shot
		rep, err := evaluate.Run(r.name, l.m, r.pre, l.tok, exs, o)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		reports = append(reports, rep)
	}
	if *report != "" {
		f, err := os.Create(*report)
		if err != nil {
			return err
		}
		settings := [][2]string{{"model", *modelDir}, {"data", *dataPath}, {"adapter", *adapterDir}, {"sequence length", fmt.Sprint(seqLen)}}
		if err := evaluate.WriteMarkdown(f, "Evaluation", reports, settings); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	main := reports[len(reports)-1]
	if *asJSON {
		return json.NewEncoder(stdout).Encode(struct {
			Loss       float64           `json:"loss"`
			Perplexity float64           `json:"perplexity"`
			Examples   int               `json:"examples"`
			Reports    []evaluate.Report `json:"reports"`
		}{main.Loss.Point, main.Perplexity, main.Examples, reports})
	}
	for _, r := range reports {
		fmt.Fprintf(stdout, "%-16s loss %.6f  perplexity %.4f  (%d examples)%s\n", r.Name, r.Loss.Point, r.Perplexity, r.Examples, extra(r))
	}
	return nil
}

// extra renders the optional metrics of a report on one line.
func extra(r evaluate.Report) string {
	var b strings.Builder
	for _, m := range []struct {
		name string
		i    *metrics.Interval
	}{{"BLEU", r.BLEU}, {"ROUGE-L", r.RougeL}, {"exact match", r.ExactMatch}, {"accuracy", r.Accuracy}, {"macro-F1", r.MacroF1}} {
		if m.i != nil {
			fmt.Fprintf(&b, "  %s %.3f", m.name, m.i.Point)
		}
	}
	if r.Regression != nil {
		fmt.Fprintf(&b, "  RMSE %.3g  MAE %.3g", r.Regression.RMSE, r.Regression.MAE)
	}
	return b.String()
}

// labelSet parses --labels: a comma-separated list, or "auto" for the
// distinct completions of exs (sorted).
func labelSet(flag string, exs []data.Example) []string {
	if flag != "auto" {
		return strings.Split(flag, ",")
	}
	return evaluate.Labels(exs)
}
