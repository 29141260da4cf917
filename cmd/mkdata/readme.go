package main

import (
	"fmt"
	"sort"
	"strings"
)

// resultsHeading starts the last section of every dataset README. It is
// written by `make dataset-results`; regenerating a README keeps it.
const resultsHeading = "## Results"

// pendingResults is the Results section before any results are recorded.
const pendingResults = resultsHeading + "\n\nRecorded by `make dataset-results` (base model versus a tuned prefix on the test split, with the settings used); not yet recorded.\n"

// settings are suggested starting values for tuning a prefix on a dataset.
type settings struct {
	Prefix, Epochs, Batch int
	LR                    string
}

// A readme holds what differs between the dataset READMEs.
type readme struct {
	Title, Task, Source, Licence, Splitting string
	Settings                                settings
	Extra                                   string // more sections, before Results
}

// render writes the README of d; results is its Results section.
func (r readme) render(d dataset, results string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\n%s\n\n", d.Name, r.Title, r.Task)
	fmt.Fprintf(&b, "## Rows\n\n")
	fmt.Fprintf(&b, "JSON Lines: one object a line with a `prompt` and a `completion` (loss is taken on the completion only). The first training row:\n\n")
	fmt.Fprintf(&b, "```json\n%s```\n\n", jsonLine(d.Splits["train"][0]))
	fmt.Fprintf(&b, "| split | file | rows |\n| --- | --- | ---: |\n")
	for _, s := range splitNames {
		fmt.Fprintf(&b, "| %s | %s.jsonl | %d |\n", s, s, d.count(s))
	}
	bytes, words := d.longest()
	fmt.Fprintf(&b, "\nThe longest row (prompt and completion) has %d words, %d bytes. %s\n\n", words, bytes, r.Splitting)
	fmt.Fprintf(&b, "## Source\n\n%s\n\nMade by `go run ./cmd/mkdata datasets` (`make datasets`); see ../SOURCES.md for the package versions and copyright files.\n\n", r.Source)
	fmt.Fprintf(&b, "## Licence\n\n%s\n\n", r.Licence)
	s := r.Settings
	fmt.Fprintf(&b, "## Suggested settings\n\nStarting points; the settings `make dataset-results` used, and what they gave, are under Results:\n\n")
	fmt.Fprintf(&b, "| setting | value |\n| --- | --- |\n| prefix length | %d |\n| learning rate | %s |\n| epochs | %d |\n| batch size | %d |\n| sequence length | %d tokens (the longest row at 3 bytes a token) |\n\n",
		s.Prefix, s.LR, s.Epochs, s.Batch, seqLen(bytes))
	b.WriteString(r.Extra)
	b.WriteString(results)
	return b.String()
}

// seqLen suggests a sequence length, a multiple of 32 tokens, that holds
// a row of n bytes at 3 bytes a token (a byte-level BPE of a few thousand
// tokens averages more on English, so rows fit with room to spare).
func seqLen(n int) int { return (n/3 + 31) / 32 * 32 }

// keepResults returns the Results section of an existing README, or the
// pending one when there is none.
func keepResults(old string) string {
	if i := strings.Index(old, "\n"+resultsHeading+"\n"); i >= 0 {
		return old[i+1:]
	}
	return pendingResults
}

// sharedSection lists the words defined in both definition datasets, by
// split (a word is in the same split in both).
func sharedSection(other string, shared []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Words shared with %s\n\n", other)
	fmt.Fprintf(&b, "%d headwords are defined in both this dataset and %s, always in the same split, so a plain prefix and a Bierce prefix can be compared on the same words ", len(shared), other)
	fmt.Fprintf(&b, "(the prompt is the same in both). The WordNet sense is the most frequent one in Bierce's part of speech (noun, verb, adjective or adverb); words of other parts of speech are not shared.\n\n")
	for _, split := range splitNames {
		var ws []string
		for _, w := range shared {
			if splitOf(w) == split {
				ws = append(ws, w)
			}
		}
		sort.Strings(ws)
		fmt.Fprintf(&b, "%s (%d): %s.\n\n", split, len(ws), strings.Join(ws, ", "))
	}
	return b.String()
}

// readmes renders the README of each dataset, keeping the Results
// sections of the old READMEs (by dataset name; missing ones are "").
func readmes(src *sources, s sets, old map[string]string) map[string]string {
	split := "Splits are by headword (a fixed hash of the word, about 80/10/10), so a word never appears in two splits; the same rule splits both definition datasets."
	wordnetLicence := "WordNet 3.0 licence. The notice below must appear on all copies, including modifications such as this dataset:\n\n```text\n" + src.WordNetNote + "\n```"
	devilSrc := "The Devil's Dictionary by Ambrose Bierce (1911), from Debian's dict-devil. The completion is the first paragraph of an entry without its headword and part of speech (Bierce's verses and anecdotes are left out), italics and cross-reference braces removed; entries with a definition of more than " + fmt.Sprint(maxWords) + " words, and letters of the alphabet and phrases, are left out."
	return map[string]string{
		s.WordNet.Name: readme{
			Title: "plain definitions of English words",
			Task:  "Task: generation. Given a word, write its dictionary definition. Pairs with devil-definitions (same prompt, satirical definitions): tune one prefix on each and compare them on one model.",
			Source: "WordNet 3.0, from Debian's wordnet-base. The rows are the words of devil-definitions that WordNet has in Bierce's part of speech, then the most common single words (ranked by how often their senses occur in WordNet's sense-tagged texts, cntlist.rev), up to " + fmt.Sprint(wordnetTarget) + " rows. " +
				"Each word has one row: its most frequent sense. The completion is that sense's gloss without its examples; definitions of more than " + fmt.Sprint(maxWords) + " words are left out.",
			Licence:   wordnetLicence,
			Splitting: split,
			Settings:  settings{Prefix: 10, LR: "3e-3 (no reparameterisation); 5e-5 with the MLP", Epochs: 5, Batch: 8},
			Extra:     sharedSection("devil-definitions", s.Shared),
		}.render(s.WordNet, keepResults(old[s.WordNet.Name])),
		s.Devil.Name: readme{
			Title:     "satirical definitions in the style of Ambrose Bierce",
			Task:      "Task: style. Given a word, write a definition as Bierce would. The prompt is the same as in wordnet-definitions, so two prefixes on one model give plain and satirical definitions of the same word.",
			Source:    devilSrc,
			Licence:   "Public domain: The Devil's Dictionary's copyright has expired (Debian's copyright file for dict-devil).",
			Splitting: split,
			Settings:  settings{Prefix: 10, LR: "3e-3 (no reparameterisation); 5e-5 with the MLP", Epochs: 10, Batch: 8},
			Extra:     sharedSection("wordnet-definitions", s.Shared),
		}.render(s.Devil, keepResults(old[s.Devil.Name])),
		s.Quotes.Name: readme{
			Title: "the topic of a quotation",
			Task:  "Task: classification. Given a quotation, name its topic: one of " + strings.Join(quoteCategories, ", ") + ". The completion is a single word; accuracy is the share of test rows whose generated word is the label.",
			Source: "The fortune files of fortune-mod, from Debian's fortunes package: each label is the file a quotation comes from. Attributions (\"-- author\") are removed, so the topic must be read from the text. " +
				"Quotations of 3 to " + fmt.Sprint(maxWords) + " words only; a quotation found in two files is dropped, copies within a file are kept once (compared in lower case, punctuation ignored). " +
				"Each label is cut to the size of the smallest by a fixed hash, then split 80/10/10 within the label, so every split is balanced.",
			Licence:   "The fortunes package's copyright file gives the BSD licence of the Regents of the University of California and no separate licence for its data files; Debian distributes them in main. The quotations are short excerpts by many authors. See ../SOURCES.md.",
			Splitting: "A quotation (compared in lower case, punctuation ignored) is in one split only.",
			Settings:  settings{Prefix: 10, LR: "3e-3 (no reparameterisation); 5e-5 with the MLP", Epochs: 5, Batch: 8},
			Extra:     labelSection(s.Quotes),
		}.render(s.Quotes, keepResults(old[s.Quotes.Name])),
	}
}

// labelSection lists the labels and their rows per split.
func labelSection(d dataset) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Labels\n\n| label | train | validation | test |\n| --- | ---: | ---: | ---: |\n")
	counts := map[string]map[string]int{}
	for _, s := range splitNames {
		counts[s] = d.labelCounts(s)
	}
	for _, c := range quoteCategories {
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", c, counts["train"][c], counts["validation"][c], counts["test"][c])
	}
	b.WriteString("\n")
	return b.String()
}
