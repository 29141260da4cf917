package main

import (
	"flag"
	"fmt"
	"io"

	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
)

func cmdGenerate(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelDir := fs.String("model", "", "model `DIR`")
	adapterDir := fs.String("adapter", "", "PEFT prefix adapter `DIR` (none: the base model)")
	prompt := fs.String("prompt", "", "the text to continue")
	var template string
	addTemplateFlag(fs, &template)
	maxNew := fs.Int("max-new-tokens", 50, "tokens to generate at most")
	temp := fs.Float64("temperature", 0, "sampling temperature (0: greedy)")
	topK := fs.Int("top-k", 0, "sample among the K most likely tokens (0: all)")
	seed := fs.Uint64("seed", 0, "sampling seed")
	threads := fs.Int("threads", 0, "compute threads (0: all cores)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tpl, err := data.ParseTemplate(template)
	if err != nil {
		return fmt.Errorf("--%w", err)
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
	var werr error
	eos := int32(l.tok.EOS())
	emit := func(id int32) { // the end-of-text token ends the text unwritten
		if werr == nil && id != eos {
			// generated ids continue the prompt: no start-of-text rule (Llama-2's dropped space)
			_, werr = io.WriteString(stdout, l.tok.DecodeContinuation([]int{int(id)}))
		}
	}
	s := model.Sampling{Temperature: *temp, TopK: *topK, Seed: *seed}
	if _, err := l.m.Generate(p.Out, l.encode(tpl.Prompt(*prompt)), *maxNew, eos, s, emit); err != nil {
		return err
	}
	if werr != nil {
		return werr
	}
	_, err = fmt.Fprintln(stdout)
	return err
}
