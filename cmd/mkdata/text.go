package main

import (
	"regexp"
	"strings"
	"unicode"
)

// asciiPunct maps typographic punctuation to the ASCII that the rest of
// the text uses, so one idea is spelled one way for the tokenizer.
var asciiPunct = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'", "\u00b4", "'",
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`,
	"\u2013", "-", "\u2014", "--", "\u2212", "-",
	"\u2026", "...", "\u00a0", " ", "\t", " ", "\u00ad", "",
)

// clean normalises one line or paragraph: typographic punctuation becomes
// ASCII, control characters are dropped, runs of spaces become one space,
// and the ends are trimmed. Line breaks become spaces.
func clean(s string) string {
	s = asciiPunct.Replace(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r), r == unicode.ReplacementChar, r == '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// paragraphs splits text into paragraphs at blank lines and cleans each,
// joining its lines with spaces (hard-wrapped prose becomes one line).
func paragraphs(text string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`\n[ \t]*\n`).Split(strings.ReplaceAll(text, "\r\n", "\n"), -1) {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// braces matches a dictd cross-reference, {word}, which may have been
// wrapped across lines.
var braces = regexp.MustCompile(`\{\s*([^{}]*?)\s*\}`)

// unbrace replaces cross-references by their words.
func unbrace(s string) string { return braces.ReplaceAllString(s, "$1") }

// wordCount returns the number of space-separated words in s.
func wordCount(s string) int { return len(strings.Fields(s)) }

// mostlyLetters reports whether at least 70% of the characters of s that
// are not spaces are letters, which keeps prose and drops tables, code and
// pictures made of characters.
func mostlyLetters(s string) bool {
	letters, other := 0, 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case !unicode.IsSpace(r):
			other++
		}
	}
	return letters > 0 && letters*10 >= (letters+other)*7
}

// dedupe removes repeated documents, keeping the first of each.
func dedupe(docs []string, seen map[string]bool) []string {
	var out []string
	for _, d := range docs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
