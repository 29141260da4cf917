package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// A part of the corpus: the documents taken from one source.
type part struct {
	Name, Package string
	Docs          []string
}

// makeCorpus assembles the pretraining corpus from the sources, leaving
// out the validation and test rows of every sample dataset (held in s) so
// that evaluating on them measures what a prefix learnt: their WordNet
// synsets, and every document of any source that contains one of their
// Bierce definitions or quotations (fortune files and the Jargon File
// quote Bierce, and some fortunes repeat others with a prefix).
// Documents repeated within or across sources are kept once, in the
// order below. Of WordNet only the synsets with a common word are kept
// (see wordNet.common): the rest, mostly Latin taxonomy and proper names,
// would be two thirds of the corpus.
func makeCorpus(src *sources, s sets) []part {
	var devil, wordnet, fortunes []string
	for _, b := range src.Devil {
		devil = append(devil, b.Doc)
	}
	for _, syn := range src.WordNet.Synsets {
		if !s.HeldSynsets[syn.Key()] && syn.Def != "" && src.WordNet.common(syn) {
			wordnet = append(wordnet, syn.doc())
		}
	}
	for _, f := range src.Fortunes {
		fortunes = append(fortunes, f.Doc)
	}
	parts := []part{
		{"devil", "dict-devil", devil},
		{"jargon", "dict-jargon", src.Jargon},
		{"fortunes", "fortunes, fortunes-min", fortunes},
		{"wordnet", "wordnet-base", wordnet},
		{"kjv", "bible-kjv-text", src.KJV},
	}
	held := make([]string, 0, len(s.HeldTexts))
	for key := range s.HeldTexts {
		held = append(held, " "+key+" ")
	}
	seen := map[string]bool{}
	for i := range parts {
		parts[i].Docs = dedupe(withoutHeld(parts[i].Docs, held), seen)
	}
	return parts
}

// withoutHeld drops the documents whose quoteKey contains a held key
// (given with a space on each side, so only whole words match).
func withoutHeld(docs, held []string) []string {
	var out []string
	for _, d := range docs {
		key := " " + quoteKey(d) + " "
		if !slices.ContainsFunc(held, func(h string) bool { return strings.Contains(key, h) }) {
			out = append(out, d)
		}
	}
	return out
}

// text returns the documents of a part as the corpus stores them: each
// document's paragraphs on consecutive lines, documents separated by one
// blank line.
func (p part) text() string { return strings.Join(p.Docs, "\n\n") + "\n" }

// writeCorpus writes dir/corpus.txt (every part, in order) and
// dir/parts/NAME.txt (each part alone).
func writeCorpus(dir string, parts []part) error {
	if err := os.MkdirAll(filepath.Join(dir, "parts"), 0o755); err != nil {
		return err
	}
	var all strings.Builder
	for _, p := range parts {
		t := p.text()
		all.WriteString(t)
		all.WriteString("\n")
		if err := os.WriteFile(filepath.Join(dir, "parts", p.Name+".txt"), []byte(t), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "corpus.txt"), []byte(strings.TrimSuffix(all.String(), "\n")), 0o644)
}

// printCounts writes a table of documents, bytes and words per part.
func printCounts(w io.Writer, parts []part) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "part\tpackage\tdocuments\tbytes\twords\t")
	var docs, bytes, words int
	for _, p := range parts {
		t := p.text()
		n := wordCount(t)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t\n", p.Name, p.Package, len(p.Docs), len(t), n)
		docs, bytes, words = docs+len(p.Docs), bytes+len(t), words+n
	}
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%d\t\n", docs, bytes, words)
	return tw.Flush()
}
