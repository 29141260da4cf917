package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"prefixtune/core/data"
)

// cmdSplit holds out a share of a data file for validation, by row or by
// distinct prompt, and writes both parts as JSONL.
func cmdSplit(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("split", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataPath := fs.String("data", "", "data `FILE` to split (.jsonl, .csv, .txt)")
	df := addDataFlags(fs, false)
	byPrompt := fs.Bool("by-prompt", false, "hold out distinct prompts with all their rows, so no prompt is in both parts (for data with several completions per prompt)")
	valFrac := fs.Float64("val-frac", 0.1, "share of the rows (or of the distinct prompts) to hold out")
	seed := fs.Uint64("seed", 0, "seed that chooses the held-out rows")
	trainOut := fs.String("train-out", "", "`FILE`.jsonl to write the training rows to")
	valOut := fs.String("val-out", "", "`FILE`.jsonl to write the held-out rows to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trainOut == "" || *valOut == "" {
		return fmt.Errorf("--train-out and --val-out are required: the .jsonl files to write the two parts to")
	}
	exs, err := df.readRaw(*dataPath)
	if err != nil {
		return err
	}
	var train, val []data.Example
	if *byPrompt {
		train, val, err = splitByPrompt(exs, *valFrac, *seed)
	} else {
		train, val, err = data.Split(exs, *valFrac, *seed)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", *dataPath, err)
	}
	if len(val) == 0 {
		return fmt.Errorf("--val-frac %v holds out nothing: give a share above 0", *valFrac)
	}
	if err := writeJSONL(*trainOut, train); err != nil {
		return err
	}
	if err := writeJSONL(*valOut, val); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s: %d rows (%d prompts); %s: %d rows (%d prompts)\n",
		*trainOut, len(train), countPrompts(train), *valOut, len(val), countPrompts(val))
	return err
}

// splitByPrompt holds out round(valFrac*k) of the k distinct prompts
// (white space around them ignored) with every row that has one; both parts
// keep file order.
func splitByPrompt(exs []data.Example, valFrac float64, seed uint64) (train, val []data.Example, err error) {
	var distinct []data.Example
	seen := map[string]bool{}
	for _, ex := range exs {
		if p := strings.TrimSpace(ex.Prompt); !seen[p] {
			seen[p] = true
			distinct = append(distinct, data.Example{Prompt: p})
		}
	}
	if len(distinct) < 2 {
		return nil, nil, fmt.Errorf("%d distinct prompt(s): splitting by prompt needs at least 2", len(distinct))
	}
	_, held, err := data.Split(distinct, valFrac, seed)
	if err != nil {
		return nil, nil, err
	}
	inVal := map[string]bool{}
	for _, ex := range held {
		inVal[ex.Prompt] = true
	}
	for _, ex := range exs {
		if inVal[strings.TrimSpace(ex.Prompt)] {
			val = append(val, ex)
		} else {
			train = append(train, ex)
		}
	}
	return train, val, nil
}

// countPrompts counts the distinct prompts of exs.
func countPrompts(exs []data.Example) int {
	seen := map[string]bool{}
	for _, ex := range exs {
		seen[strings.TrimSpace(ex.Prompt)] = true
	}
	return len(seen)
}
