package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/train"
)

func cmdEval(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelDir := fs.String("model", "", "model `DIR`")
	dataPath := fs.String("data", "", "evaluation data `FILE` (.jsonl, .csv, .txt)")
	adapterDir := fs.String("adapter", "", "PEFT prefix adapter `DIR` (none: the base model)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	B := fs.Int("batch-size", 8, "examples per forward pass")
	T := fs.Int("seq-len", 0, "tokens per example, cut at the end (0: 128, or fewer if the model is shorter)")
	threads := fs.Int("threads", 0, "compute threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := loadModel(*modelDir, *threads)
	if err != nil {
		return err
	}
	p := prefix.New(l.m, 0, 0)
	if *adapterDir != "" {
		if p, err = l.loadAdapter(*adapterDir); err != nil {
			return err
		}
	}
	seqLen, err := l.seqLen(*T, p.P)
	if err != nil {
		return err
	}
	seqs, err := l.readSeqs(*dataPath, seqLen)
	if err != nil {
		return err
	}
	tr := train.New(l.m, p, train.Options{}, model.Shape{B: *B, T: longest(seqs)})
	loss, err := meanLoss(tr.Loss, seqs, *B, int32(l.tok.EOS()))
	if err != nil {
		return err
	}
	res := struct {
		Loss       float64 `json:"loss"`
		Perplexity float64 `json:"perplexity"`
		Examples   int     `json:"examples"`
	}{loss, math.Exp(loss), len(seqs)}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	_, err = fmt.Fprintf(stdout, "loss %.6f  perplexity %.4f  (%d examples)\n", res.Loss, res.Perplexity, res.Examples)
	return err
}
