package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/safetensors"
	"prefixtune/core/train"
	"prefixtune/core/tune"
)

// cmdCard writes the model card (README.md) of a pretrained model from its
// training log, the corpus's SOURCES.md, and samples it generates.
func cmdCard(args []string, _ io.Reader, _, stderr io.Writer) error {
	fl := flag.NewFlagSet("card", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("model", "", "model `DIR` (gets README.md and training_curve.svg)")
	logPath := fl.String("log", "", "the training log of prefixtune pretrain (JSON lines)")
	sources := fl.String("sources", "", "SOURCES.md of the corpus, whose Corpus section is quoted")
	notice := fl.String("notice", "", "a Markdown file whose first ```text block is a licence notice to reproduce")
	command := fl.String("command", "", "the command that trained the model, quoted in the card")
	check := fl.String("check", "", "a data `FILE` whose mean target-token loss is recorded in check.json, for tests to reproduce")
	if err := fl.Parse(args); err != nil {
		return err
	}
	l, err := loadModel(*dir, 0)
	if err != nil {
		return err
	}
	steps, err := readLog(*logPath)
	if err != nil {
		return err
	}
	corpus, err := section(*sources, "## Corpus")
	if err != nil {
		return err
	}
	text, err := codeBlock(*notice)
	if err != nil {
		return err
	}
	st, err := safetensors.Open(filepath.Join(*dir, "model.safetensors"))
	if err != nil {
		return err
	}
	dtype := st.Tensors()[0].DType
	st.Close()
	c := l.m.Config
	var b strings.Builder
	fmt.Fprintf(&b, "# Prefixtune demo model\n\n")
	fmt.Fprintf(&b, "A small GPT-2-architecture language model (%.2fM parameters) trained from scratch by Prefixtune's own Go trainer "+
		"(`prefixtune pretrain`) on public-domain and freely licensed English text from Debian packages. It is bundled so that "+
		"the app works offline: it is a toy for trying prefix-tuning, not a useful language model.\n\n", float64(model.NumParams(c))/1e6)
	b.WriteString("| | |\n|---|---|\n")
	for _, kv := range [][2]any{{"architecture", "GPT-2 (learned positions, tied embeddings, tanh GELU)"}, {"layers", c.NLayer}, {"heads", c.NHead},
		{"embedding size", c.NEmbd}, {"context", c.NPositions}, {"vocabulary", fmt.Sprintf("%d (byte-level BPE trained on the corpus by `prefixtune bpe`)", c.VocabSize)},
		{"parameters", model.NumParams(c)}, {"weights", fmt.Sprintf("%s safetensors", dtype)}} {
		fmt.Fprintf(&b, "| %v | %v |\n", kv[0], kv[1])
	}
	last := steps[len(steps)-1]
	var tokens int
	for _, s := range steps {
		tokens += s.Tokens
	}
	val := lastVal(steps)
	fmt.Fprintf(&b, "\n## Training\n\n```sh\n%s\n```\n\n%d optimiser steps, %d tokens seen (AdamW, cosine schedule, gradient clipping at 1). "+
		"Validation perplexity at the end: **%.1f** (loss %.3f on held-out documents, every 100th document of the corpus).\n\n",
		*command, last.Step, tokens, math.Exp(val), val)
	b.WriteString("![training curve](training_curve.svg)\n\n| step | tokens | training loss (mean since the last row) | validation loss | validation perplexity |\n|---:|---:|---:|---:|---:|\n")
	var sum float64
	n, seen := 0, 0
	for _, s := range steps {
		sum, n, seen = sum+s.Loss, n+1, seen+s.Tokens
		if s.ValLoss != nil {
			fmt.Fprintf(&b, "| %d | %d | %.3f | %.3f | %.1f |\n", s.Step, seen, sum/float64(n), *s.ValLoss, math.Exp(*s.ValLoss))
			sum, n = 0, 0
		}
	}
	b.WriteString("\n## Samples\n\nGreedy continuations (at most 40 tokens) of prompts in the style of the sample datasets:\n\n")
	for _, p := range []string{"word: lantern\ndefinition:", "word: politics\ndefinition:", "Quote: ", "And God said"} {
		prompt := l.encode(p)
		ids, err := l.m.Generate(model.Prefix{}, prompt, min(40, c.NPositions-len(prompt)), int32(l.tok.EOS()), model.Sampling{}, nil)
		if err != nil {
			return err
		}
		out := make([]int, 0, len(ids))
		for _, id := range ids {
			if id != int32(l.tok.EOS()) {
				out = append(out, int(id))
			}
		}
		fmt.Fprintf(&b, "- `%s` → %s\n", oneLine(p), oneLine(l.tok.Decode(out)))
	}
	fmt.Fprintf(&b, "\n## Training data\n\n%s\n\n## Licences\n\nThe King James Bible, The Devil's Dictionary and the Jargon File are in the public domain; "+
		"the fortunes are short quotations distributed with Debian's BSD-licensed fortune-mod (see the package versions and copyright files in "+
		"`public/datasets/SOURCES.md`). WordNet 3.0 requires this notice on all copies, including derived works such as this model:\n\n```text\n%s```\n",
		strings.TrimSpace(corpus), text)
	if *check != "" {
		loss, n, err := checkLoss(l, *check)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n## Check\n\n`check.json` records the mean target-token loss on `%s`: %.6f over %d tokens; the tests reproduce it on every device.\n", *check, loss, n)
		js, err := json.MarshalIndent(map[string]any{"data": *check, "loss": loss, "tokens": n}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*dir, "check.json"), append(js, '\n'), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(*dir, "README.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*dir, "training_curve.svg"), []byte(curveSVG(steps)), 0o644)
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }

func readLog(path string) ([]tune.Step, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var steps []tune.Step
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s tune.Step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		steps = append(steps, s)
	}
	if len(steps) == 0 || lastVal(steps) == 0 {
		return nil, fmt.Errorf("%s: no validated steps", path)
	}
	return steps, sc.Err()
}

func lastVal(steps []tune.Step) float64 {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].ValLoss != nil {
			return *steps[i].ValLoss
		}
	}
	return 0
}

// section returns the Markdown section of path that starts with heading.
func section(path, heading string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(b), heading+"\n")
	if !ok {
		return "", fmt.Errorf("%s has no %q section", path, heading)
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i+1]
	}
	return rest, nil
}

// codeBlock returns the first ```text block of a Markdown file.
func codeBlock(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(b), "```text\n")
	body, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		return "", fmt.Errorf("%s has no ```text block", path)
	}
	return body, nil
}

// curveSVG draws the training and validation loss against the step.
func curveSVG(steps []tune.Step) string {
	const W, H, pad = 640, 320, 40
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range steps {
		lo, hi = math.Min(lo, s.Loss), math.Max(hi, s.Loss)
	}
	x := func(step int) float64 { return pad + float64(step)/float64(steps[len(steps)-1].Step)*(W-2*pad) }
	y := func(v float64) float64 { return H - pad - (v-lo)/(hi-lo)*(H-2*pad) }
	var train, val strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&train, "%.1f,%.1f ", x(s.Step), y(s.Loss))
		if s.ValLoss != nil {
			fmt.Fprintf(&val, "%.1f,%.1f ", x(s.Step), y(*s.ValLoss))
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">
<rect width="100%%" height="100%%" fill="white"/>
<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>
<text x="%d" y="%d">%.2f</text><text x="%d" y="%d">%.2f</text><text x="%d" y="%d">step %d</text>
<polyline fill="none" stroke="#4a7bd0" stroke-width="1" points="%s"/>
<polyline fill="none" stroke="#d0552a" stroke-width="2" points="%s"/>
<text x="%d" y="20" fill="#4a7bd0">training loss</text><text x="%d" y="36" fill="#d0552a">validation loss</text>
</svg>
`, W, H, pad, H-pad, W-pad, H-pad, pad, pad, pad, H-pad, 2, pad, hi, 2, H-pad, lo, W-pad-60, H-pad+16, steps[len(steps)-1].Step,
		train.String(), val.String(), W-160, W-160)
}

// checkLoss is the mean target-token loss of the base model on a data file.
func checkLoss(l *loaded, path string) (float64, int, error) {
	T, err := tune.SeqLen(l.m.Config, 0, 0)
	if err != nil {
		return 0, 0, err
	}
	seqs, err := l.readSeqs(path, T)
	if err != nil {
		return 0, 0, err
	}
	tr := train.New(l.m, prefix.New(l.m, 0, 0), train.Options{}, model.Shape{B: 8, T: tune.Longest(seqs)})
	return tune.MeanLoss(tr.Loss, seqs, 8, int32(l.tok.EOS()))
}
