package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"prefixtune/core/data"
	"prefixtune/core/tokenizer"
)

// cmdBPE learns a byte-level BPE tokenizer from a text corpus.
func cmdBPE(args []string, _ io.Reader, _, stderr io.Writer) error {
	fl := flag.NewFlagSet("bpe", flag.ContinueOnError)
	fl.SetOutput(stderr)
	corpus := fl.String("corpus", "", "comma-separated plain-text `FILES` (documents separated by blank lines)")
	vocab := fl.Int("vocab", 4096, "vocabulary size, special tokens included")
	out := fl.String("out", "", "tokenizer.json `FILE` to write")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *corpus == "" || *out == "" {
		return fmt.Errorf("--corpus and --out are required")
	}
	var docs []data.Example
	for _, p := range strings.Split(*corpus, ",") {
		exs, err := data.Read(p, data.Options{TextColumn: "text"})
		if err != nil {
			return err
		}
		docs = append(docs, exs...)
	}
	texts := func(yield func(string) bool) {
		for _, d := range docs {
			if !yield(d.Completion) {
				return
			}
		}
	}
	js, err := tokenizer.TrainBPE(texts, []string{"<|endoftext|>"}, *vocab)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, js, 0o644)
}
