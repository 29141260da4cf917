package main

import (
	"regexp"
	"slices"
	"strings"
)

// Files of dict-devil and dict-jargon.
const (
	devilIndex  = "/usr/share/dictd/devil.index"
	devilDict   = "/usr/share/dictd/devil.dict.dz"
	jargonIndex = "/usr/share/dictd/jargon.index"
	jargonDict  = "/usr/share/dictd/jargon.dict.dz"
)

// A bierce entry is one definition of The Devil's Dictionary.
type bierce struct {
	Word string // the headword, lower case
	POS  string // Bierce's part of speech: "n", "adj", "v.t", ...
	Def  string // the first paragraph without the headword: the definition
	Doc  string // the whole entry, cleaned, one paragraph a line
}

// devilHead matches the start of an ordinary entry, "ABASEMENT, n.  A
// decent ...": capitals, a comma (sometimes missing), the part of speech.
// Letters of the alphabet, Latin phrases and entries with two spellings
// ("BABE or BABY") do not match.
var devilHead = regexp.MustCompile(`^([A-Z][A-Z' -]*[A-Z])(?:,\s*|\s+)([a-z][a-z.]*?)\.\s+`)

// leadingBracket matches an etymology or language note before a
// definition: "[from ACADEME]", "[Latin]".
var leadingBracket = regexp.MustCompile(`^\[[^\]]*\]\s*`)

// readDevil returns every entry of The Devil's Dictionary. Bierce marks
// italics with underscores, which are removed; cross-references lose
// their braces. Entries indexed under two headwords appear once.
func readDevil(entries []dictEntry) []bierce {
	var out []bierce
	seen := map[string]bool{}
	for _, e := range entries {
		paras := paragraphs(strings.ReplaceAll(unbrace(e.Text), "_", ""))
		if len(paras) == 0 || seen[paras[0]] {
			continue
		}
		seen[paras[0]] = true
		b := bierce{Doc: strings.Join(paras, "\n")}
		if m := devilHead.FindStringSubmatch(paras[0]); m != nil && strings.ToLower(m[1]) == e.Head {
			b.Word, b.POS = e.Head, m[2]
			b.Def = leadingBracket.ReplaceAllString(paras[0][len(m[0]):], "")
		}
		out = append(out, b)
	}
	return out
}

// readJargon returns the Jargon File as one document per entry: the
// headword as the entry spells it, a colon, and the entry's paragraphs
// (pronunciations, the part-of-speech line and tables are dropped).
func readJargon(entries []dictEntry) []string {
	var docs []string
	for _, e := range entries {
		head, rest, _ := strings.Cut(e.Text, "\n")
		// The lines up to the first blank one hold pronunciation and part
		// of speech; the body follows.
		if i := strings.Index(rest, "\n\n"); i >= 0 {
			rest = rest[i:]
		} else {
			rest = ""
		}
		paras := slices.DeleteFunc(paragraphs(unbrace(rest)), func(p string) bool {
			return strings.ContainsFunc(p, func(r rune) bool { return 0x2500 <= r && r <= 0x257f }) // a table drawn with box characters
		})
		if len(paras) == 0 {
			continue
		}
		paras[0] = clean(head) + ": " + paras[0]
		docs = append(docs, strings.Join(paras, "\n"))
	}
	return docs
}
