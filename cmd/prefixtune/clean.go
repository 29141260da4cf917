package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"prefixtune/core/data"
	"prefixtune/core/tokenizer"
)

// cmdClean trims a data file's rows, drops empty, over-long and duplicate
// ones (data.Clean), and writes the rest as JSONL.
func cmdClean(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataPath := fs.String("data", "", "data `FILE` to clean (.jsonl, .csv, .txt)")
	df := addDataFlags(fs, false)
	out := fs.String("out", "", "`FILE`.jsonl to write the kept rows to")
	modelDir := fs.String("model", "", "model `DIR` whose tokenizer counts tokens for --max-tokens")
	maxTokens := fs.Int("max-tokens", 0, "drop rows of more than `N` tokens (prompt + completion + end of text; needs --model)")
	near := fs.Float64("near", nearDup, "drop near duplicates: word-trigram Jaccard similarity at least this (0: exact duplicates only)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *out == "":
		return fmt.Errorf("--out is required: the .jsonl file to write the kept rows to")
	case *maxTokens > 0 && *modelDir == "":
		return fmt.Errorf("--max-tokens counts tokens: give --model, the directory with the model's tokenizer.json")
	case !(*near >= 0 && *near <= 1):
		return fmt.Errorf("--near %v: give a similarity from 0 (exact duplicates only) to 1", *near)
	}
	exs, err := df.readRaw(*dataPath)
	if err != nil {
		return err
	}
	var enc data.Encoder
	if *maxTokens > 0 {
		tok, err := tokenizer.Load(*modelDir)
		if err != nil {
			return err
		}
		enc = tok
	}
	kept, rep := data.Clean(exs, enc, data.CleanOptions{MaxTokens: *maxTokens, Near: *near})
	if len(kept) == 0 {
		return fmt.Errorf("%s: no rows left after cleaning (%s)", *dataPath, cleanText(rep))
	}
	if err := writeJSONL(*out, kept); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s; wrote %s\n", *dataPath, cleanText(rep), *out)
	return err
}
