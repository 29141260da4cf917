package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Limits that keep every example short enough for the browser.
const (
	maxWords      = 60   // longest completion (and quotation), in words
	wordnetTarget = 3000 // rows of the WordNet dataset
)

// quoteCategories are the fortune files whose quotations the
// classification dataset labels: topics with clearly different words.
var quoteCategories = []string{"computers", "food", "law", "love", "politics", "science"}

// A row is one example and the key that groups it for splitting.
type row struct {
	Key                string
	Prompt, Completion string
}

// A dataset is a named set of rows in splits, ready to write.
type dataset struct {
	Name   string
	Splits map[string][]row // by split name, in file order
}

// sets are the three sample datasets and what the corpus must leave out
// so that pretraining never sees a validation or test row.
type sets struct {
	WordNet, Devil, Quotes dataset
	Shared                 []string // headwords in both definition datasets
	// Held out of the corpus: the WordNet synsets (synset.Key) of
	// validation and test rows, and the quoteKey of their Bierce
	// definitions and quotations (no corpus document may contain one).
	HeldSynsets, HeldTexts map[string]bool
}

// definitionPrompt is the prompt of both definition datasets.
func definitionPrompt(word string) string { return "word: " + word + "\ndefinition:" }

// headword is what the definition datasets accept as a headword: lower
// case letters, with inner spaces, hyphens or apostrophes.
var headword = regexp.MustCompile(`^[a-z](?:[a-z' -]*[a-z])?$`)

// plainWord is what a common word of the WordNet dataset must be.
var plainWord = regexp.MustCompile(`^[a-z]+$`)

// biercePOS maps Bierce's parts of speech to WordNet's, so that a shared
// word is defined in the same part of speech in both datasets. A word of
// another part of speech (a pronoun, a participle) is not shared.
var biercePOS = map[string][]byte{
	"n": {'n'}, "n.pl": {'n'},
	"adj": {'a'},
	"v":   {'v'}, "v.t": {'v'}, "v.i": {'v'},
	"adv": {'r'},
}

// allPOS is the tie-break order of parts of speech for a word on its own.
var allPOS = []byte{'n', 'v', 'a', 'r'}

// makeSets builds the three datasets from the sources.
func makeSets(wn *wordNet, devil []bierce, fortunes []fortune) sets {
	s := sets{HeldSynsets: map[string]bool{}, HeldTexts: map[string]bool{}}

	// Bierce's definitions, and the WordNet sense of each of his words.
	var devilRows, wordnetRows []row
	posOf := map[string]string{} // Bierce's part of speech of each row's word
	for _, b := range devil {
		n := wordCount(b.Def)
		if b.Word == "" || !headword.MatchString(b.Word) || n < 2 || n > maxWords || posOf[b.Word] != "" {
			continue
		}
		devilRows = append(devilRows, row{b.Word, definitionPrompt(b.Word), " " + b.Def})
		if splitOf(b.Word) != "train" {
			s.HeldTexts[quoteKey(b.Def)] = true
		}
		posOf[b.Word] = b.POS
	}
	add := func(word string, sense *synset) bool {
		if sense == nil || sense.Def == "" || wordCount(sense.Def) > maxWords {
			return false
		}
		wordnetRows = append(wordnetRows, row{word, definitionPrompt(word), " " + sense.Def})
		if splitOf(word) != "train" {
			s.HeldSynsets[sense.Key()] = true
		}
		return true
	}
	for _, r := range devilRows {
		lemma := strings.ReplaceAll(r.Key, " ", "_")
		if add(r.Key, wn.bestSense(lemma, biercePOS[posOf[r.Key]])) {
			s.Shared = append(s.Shared, r.Key)
		}
	}
	// Then the most common plain words, by their tagged occurrences,
	// leaving out Bierce's words that are not shared (so every word in
	// both datasets has the same part of speech in both).
	var common []string
	for lemma := range wn.tags {
		if len(lemma) >= 3 && plainWord.MatchString(lemma) && posOf[lemma] == "" {
			common = append(common, lemma)
		}
	}
	sort.Slice(common, func(i, j int) bool {
		ci, cj := wn.tagCount(common[i]), wn.tagCount(common[j])
		return ci > cj || ci == cj && common[i] < common[j]
	})
	for _, w := range common {
		if len(wordnetRows) >= wordnetTarget {
			break
		}
		add(w, wn.bestSense(w, allPOS))
	}
	sort.Strings(s.Shared)
	s.WordNet = splitRows("wordnet-definitions", wordnetRows)
	s.Devil = splitRows("devil-definitions", devilRows)
	s.Quotes = makeQuotes(fortunes, s.HeldTexts)
	return s
}

// splitRows puts rows into the split of their key, each split in keyHash
// order (a fixed shuffle).
func splitRows(name string, rows []row) dataset {
	d := dataset{Name: name, Splits: map[string][]row{}}
	sort.Slice(rows, func(i, j int) bool {
		hi, hj := keyHash(rows[i].Key), keyHash(rows[j].Key)
		return hi < hj || hi == hj && rows[i].Key < rows[j].Key
	})
	for _, r := range rows {
		split := splitOf(r.Key)
		d.Splits[split] = append(d.Splits[split], r)
	}
	return d
}

// makeQuotes builds the classification dataset: quotations of the
// quoteCategories files labelled with their file. A quotation found in
// two categories is ambiguous and dropped; copies within a category are
// kept once. Every category is cut to the size of the smallest (the
// first ones in keyHash order), then split 80/10/10 within the category,
// so every split is balanced. Validation and test keys go to held.
func makeQuotes(fortunes []fortune, held map[string]bool) dataset {
	text := map[string]string{}          // key -> text (first seen)
	cats := map[string]map[string]bool{} // key -> categories
	isCat := map[string]bool{}
	for _, c := range quoteCategories {
		isCat[c] = true
	}
	for _, f := range fortunes {
		key := quoteKey(f.Text)
		if n := wordCount(f.Text); n < 3 || n > maxWords || key == "" {
			continue
		}
		if cats[key] == nil {
			cats[key] = map[string]bool{}
			text[key] = f.Text
		}
		cats[key][f.File] = true
	}
	byCat := map[string][]string{}
	for key, cs := range cats {
		if len(cs) != 1 {
			continue // in several files: ambiguous, or not a category at all
		}
		for c := range cs {
			if isCat[c] {
				byCat[c] = append(byCat[c], key)
			}
		}
	}
	n := -1
	for _, c := range quoteCategories {
		byHash(byCat[c])
		if n < 0 || len(byCat[c]) < n {
			n = len(byCat[c])
		}
	}
	nTrain, nVal := n*8/10, n/10
	d := dataset{Name: "fortune-categories", Splits: map[string][]row{}}
	for _, c := range quoteCategories {
		for i, key := range byCat[c][:n] {
			split := "train"
			switch {
			case i >= nTrain+nVal:
				split = "test"
			case i >= nTrain:
				split = "validation"
			}
			if split != "train" {
				held[key] = true
			}
			d.Splits[split] = append(d.Splits[split], row{key, "Quote: " + text[key] + "\nCategory:", " " + c})
		}
	}
	for _, rows := range d.Splits {
		sort.Slice(rows, func(i, j int) bool {
			hi, hj := keyHash(rows[i].Key), keyHash(rows[j].Key)
			return hi < hj || hi == hj && rows[i].Key < rows[j].Key
		})
	}
	return d
}

// count returns the number of rows of a split, or of all splits for "".
func (d dataset) count(split string) int {
	if split != "" {
		return len(d.Splits[split])
	}
	n := 0
	for _, rows := range d.Splits {
		n += len(rows)
	}
	return n
}

// longest returns the longest row of the dataset in bytes and in words.
func (d dataset) longest() (bytes, words int) {
	for _, rows := range d.Splits {
		for _, r := range rows {
			bytes = max(bytes, len(r.Prompt)+len(r.Completion))
			words = max(words, wordCount(r.Prompt)+wordCount(r.Completion))
		}
	}
	return bytes, words
}

// labelCounts returns, for a classification dataset, the rows of each
// completion in a split.
func (d dataset) labelCounts(split string) map[string]int {
	m := map[string]int{}
	for _, r := range d.Splits[split] {
		m[strings.TrimSpace(r.Completion)]++
	}
	return m
}

// String summarises the dataset for the log.
func (d dataset) String() string {
	return fmt.Sprintf("%s: %d train, %d validation, %d test", d.Name, d.count("train"), d.count("validation"), d.count("test"))
}
