package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A licence note says what one package gives and under which terms. The
// program stops when a package's copyright file no longer contains every
// MustSay phrase (compared with runs of spaces collapsed), so the notes
// cannot silently drift from the packages.
type licenceNote struct {
	Package string
	What    string   // what the text is
	Files   []string // installed paths read
	Licence string   // the terms, as the copyright file states them
	MustSay []string
}

var licenceNotes = []licenceNote{
	{
		Package: "bible-kjv-text",
		What:    "The King James Version of the Bible (1611), as compressed text from Chip Chapin's Bible Retrieval System.",
		Files:   []string{kjvFile},
		Licence: "Public domain: the copyright file states that the copyright of the King James Version text has expired. The retrieval software's legend (\"provided for unrestricted use provided that this legend is included\") covers the program and data file, and is reproduced below.",
		MustSay: []string{"The copyright for the King James Version text of the Bible is expired", "This file is provided for unrestricted use"},
	},
	{
		Package: "dict-devil",
		What:    "The Devil's Dictionary by Ambrose Bierce (1911), Internet Wiretap edition, as a dictd database.",
		Files:   []string{devilIndex, devilDict},
		Licence: "Public domain: \"The Devil's Dictionary is in the public domain, its copyright has expired.\"",
		MustSay: []string{"The Devil's Dictionary is in the public domain"},
	},
	{
		Package: "dict-jargon",
		What:    "The Jargon File 4.4.7 (the hacker lexicon), as a dictd database.",
		Files:   []string{jargonIndex, jargonDict},
		Licence: "Public domain: \"This document (the Jargon File) is in the public domain, to be freely used, shared, and modified.\" It asks to be cited as \"Jargon File 4.4.7\".",
		MustSay: []string{"the Jargon File) is in the public domain"},
	},
	{
		Package: "fortunes",
		What:    "The data files of fortune-mod 1.99.1: short quotations, jokes and sayings, one file per topic.",
		Files:   []string{fortuneDir + "/*"},
		Licence: "The copyright file gives the BSD licence of the Regents of the University of California for the package and no separate licence for the data files (its only file-specific notice is for the atheism file, which is in fortunes-off and not used). Debian distributes the files in main under these terms. The quotations are short excerpts attributed to their authors where known; the attributions are kept in the corpus.",
		MustSay: []string{"This program falls under the BSD copyright", "Copyright (c) 1991 The Regents of the University of California"},
	},
	{
		Package: "fortunes-min",
		What:    "The remaining fortune-mod 1.99.1 data files (fortunes, literature, riddles).",
		Files:   []string{fortuneDir + "/*"},
		Licence: "As for fortunes: the same copyright file.",
		MustSay: []string{"This program falls under the BSD copyright", "Copyright (c) 1991 The Regents of the University of California"},
	},
	{
		Package: "wordnet-base",
		What:    "WordNet 3.0, Princeton University's lexical database of English: its data, index and cntlist.rev files.",
		Files:   []string{wordnetDir + "/data.*", wordnetDir + "/index.*", wordnetDir + "/cntlist.rev"},
		Licence: "WordNet 3.0 licence: permission to use, copy, modify and distribute for any purpose without fee, provided that the copyright notice, statements and disclaimer (reproduced below, and in the README of every dataset made from WordNet) appear on all copies, including modifications.",
		MustSay: []string{"WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.", "Permission to use, copy, modify and distribute this software and database"},
	},
}

// sources holds everything read from the packages.
type sources struct {
	Packages     []Fetched
	Copyright    map[string]string // package -> its copyright file
	KJV          []string          // one document per chapter
	Devil        []bierce
	Jargon       []string // one document per entry
	WordNet      *wordNet
	WordNetNote  string    // the licence notice at the top of WordNet's data files
	Fortunes     []fortune // from the files not in fortuneSkip
	FortuneFiles []string  // every fortune file of the packages
}

// load reads every source from the extracted packages, after checking
// their copyright files.
func load(fetched []Fetched) (*sources, error) {
	src := &sources{Packages: fetched, Copyright: map[string]string{}}
	pkg := map[string]Fetched{}
	for _, f := range fetched {
		pkg[f.Name] = f
	}
	for _, n := range licenceNotes {
		c, err := readCopyright(pkg[n.Package], n.MustSay)
		if err != nil {
			return nil, err
		}
		src.Copyright[n.Package] = c
	}
	var err error
	if src.KJV, err = readKJV(pkg["bible-kjv-text"].Path(kjvFile)); err != nil {
		return nil, err
	}
	devil, err := readDictd(pkg["dict-devil"].Path(devilIndex), pkg["dict-devil"].Path(devilDict))
	if err != nil {
		return nil, err
	}
	src.Devil = readDevil(devil)
	jargon, err := readDictd(pkg["dict-jargon"].Path(jargonIndex), pkg["dict-jargon"].Path(jargonDict))
	if err != nil {
		return nil, err
	}
	src.Jargon = readJargon(jargon)
	wnDir := pkg["wordnet-base"].Path(wordnetDir)
	if src.WordNet, err = readWordNet(wnDir); err != nil {
		return nil, err
	}
	if src.WordNetNote, err = wordnetNotice(filepath.Join(wnDir, "data.noun")); err != nil {
		return nil, err
	}
	src.Fortunes, src.FortuneFiles, err = readFortunes([]string{pkg["fortunes"].Root, pkg["fortunes-min"].Root})
	return src, err
}

// wordnetNotice returns the licence at the top of a WordNet data file,
// whose lines look like "  14 WordNet 3.0 Copyright 2006 by ...  ".
func wordnetNotice(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		_, text, _ := strings.Cut(strings.TrimSpace(line), " ")
		lines = append(lines, strings.TrimSpace(text))
	}
	notice := strings.TrimSpace(strings.Join(lines, "\n"))
	if !strings.Contains(notice, "WordNet 3.0 Copyright 2006 by Princeton University") {
		return "", fmt.Errorf("%s does not start with the WordNet 3.0 licence notice", path)
	}
	return notice, nil
}

// sourcesMarkdown renders SOURCES.md: every package, its version and
// checksum, the files read, the licence and the copyright file itself,
// the fortune files used or skipped, and the corpus and dataset sizes.
func sourcesMarkdown(src *sources, parts []part, s sets) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Sources of the demo corpus and the sample datasets\n\n")
	fmt.Fprintf(&b, "Generated by `go run ./cmd/mkdata` (`make corpus`, `make datasets`); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "Every text comes from a Debian 12 package, fetched with `apt-get download` at the pinned version below and unpacked with `dpkg-deb -x`. ")
	fmt.Fprintf(&b, "The corpus (build/corpus/, not committed) pretrains the demo model; the sample datasets are in this directory.\n\n")
	fmt.Fprintf(&b, "| package | version | .deb SHA-256 |\n| --- | --- | --- |\n")
	for _, f := range src.Packages {
		fmt.Fprintf(&b, "| %s | %s | `%s` |\n", f.Name, f.Version, f.SHA256)
	}
	fmt.Fprintf(&b, "\n## Corpus\n\n")
	fmt.Fprintf(&b, "Cleaning: typographic quotes and dashes become ASCII, control characters are dropped, hard-wrapped lines are joined, ")
	fmt.Fprintf(&b, "dictd cross-reference braces and Bierce's italic underscores are removed, and repeated documents are kept once. ")
	fmt.Fprintf(&b, "The validation and test rows of every sample dataset are left out: their WordNet synsets, and every document of any source that contains one of their Bierce definitions or quotations (ignoring case and punctuation), ")
	fmt.Fprintf(&b, "so evaluating a prefix on them measures what it learnt, not what pretraining memorised. ")
	fmt.Fprintf(&b, "Of WordNet, only synsets with a word that occurs in its sense-tagged texts (cntlist.rev) are kept; the others, mostly Latin taxonomy and proper names, would be two thirds of the corpus.\n\n")
	fmt.Fprintf(&b, "| part | package | documents | bytes | words | one document is |\n| --- | --- | ---: | ---: | ---: | --- |\n")
	what := map[string]string{
		"devil":    "an entry: headword, part of speech, definition, Bierce's verses",
		"jargon":   "an entry: \"headword: text\"",
		"fortunes": "a quotation, then its attribution",
		"wordnet":  "a synset: \"words (part of speech): definition.\" and its examples",
		"kjv":      "a chapter, verse numbers removed",
	}
	for _, p := range parts {
		t := p.text()
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %s |\n", p.Name, p.Package, len(p.Docs), len(t), wordCount(t), what[p.Name])
	}
	fmt.Fprintf(&b, "\n## Sample datasets\n\n| dataset | rows | made from |\n| --- | ---: | --- |\n")
	fmt.Fprintf(&b, "| %s | %d | wordnet-base |\n| %s | %d | dict-devil |\n| %s | %d | fortunes |\n\n",
		s.WordNet.Name, s.WordNet.count(""), s.Devil.Name, s.Devil.count(""), s.Quotes.Name, s.Quotes.count(""))
	fmt.Fprintf(&b, "## Fortune files\n\n")
	fmt.Fprintf(&b, "The offensive files are in fortunes-off, which is never fetched. Of the files of fortunes and fortunes-min, these are skipped:\n\n")
	for _, name := range src.FortuneFiles {
		if why := fortuneSkip[name]; why != "" {
			fmt.Fprintf(&b, "- %s: %s\n", name, why)
		}
	}
	var used []string
	for _, name := range src.FortuneFiles {
		if fortuneSkip[name] == "" {
			used = append(used, name)
		}
	}
	fmt.Fprintf(&b, "\nUsed: %s. Quotations with backspace or escape sequences, or less than 70%% letters, are dropped.\n\n", strings.Join(used, ", "))
	for _, n := range licenceNotes {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", n.Package, n.What)
		fmt.Fprintf(&b, "Files read: %s.\n\n", "`"+strings.Join(n.Files, "`, `")+"`")
		fmt.Fprintf(&b, "Licence: %s\n\n", n.Licence)
		fmt.Fprintf(&b, "The package's copyright file (/usr/share/doc/%s/copyright), verbatim:\n\n```text\n%s\n```\n\n", n.Package, src.Copyright[n.Package])
	}
	return strings.TrimSuffix(b.String(), "\n")
}
