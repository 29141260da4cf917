package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// fortuneDir holds the fortune files of fortunes and fortunes-min.
const fortuneDir = "/usr/share/games/fortunes"

// fortuneSkip names the fortune files left out of everything, and why.
// The offensive files are in fortunes-off, which is never fetched.
var fortuneSkip = map[string]string{
	"ascii-art":    "pictures drawn with characters, not prose",
	"translate-me": "quotations in other languages, untranslated",
	"ethnic":       "jokes about ethnic and regional groups",
	"men-women":    "gender-stereotype jokes (see the package's Offensive notes)",
}

// A fortune is one quotation from a fortune file.
type fortune struct {
	File string // the fortune file (its category)
	Text string // the quotation on one line, without its attribution
	Doc  string // the quotation for the corpus: paragraphs, then "-- author"
}

// attribution matches the line that starts an attribution: indented,
// then "--" (for example "\t\t-- Mark Twain").
var attribution = regexp.MustCompile(`^\s+--\s*\S`)

// mojibake matches UTF-8 text that was decoded as Latin-1 and encoded
// again ("donÃ¢ÂÂt", "Â£5"): C1 control characters, or Â or Ã before the
// Latin-1 characters that continue such a sequence.
var mojibake = regexp.MustCompile(`[\x{80}-\x{9f}]|Â[\x{a0}-\x{bf}]|Ã[\x{80}-\x{bf}]`)

// readFortunes reads the fortune files of the given package roots.
// Fortunes are separated by lines holding only "%". Fortunes that use
// backspaces or escape sequences (overstruck or coloured text) are
// dropped, as are mis-encoded ones and those that are not mostly letters.
func readFortunes(roots []string) ([]fortune, []string, error) {
	var out []fortune
	var files []string
	for _, root := range roots {
		dir := filepath.Join(root, filepath.FromSlash(fortuneDir))
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			name := e.Name()
			if !e.Type().IsRegular() || strings.Contains(name, ".") {
				continue // .dat indexes and .u8 links
			}
			files = append(files, name)
			if fortuneSkip[name] != "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return nil, nil, err
			}
			for _, raw := range strings.Split(string(b), "\n%\n") {
				if f, ok := parseFortune(name, raw); ok {
					out = append(out, f)
				}
			}
		}
	}
	sort.Strings(files)
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("no fortunes found under %s", fortuneDir)
	}
	return out, files, nil
}

// parseFortune cleans one fortune.
func parseFortune(file, raw string) (fortune, bool) {
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "%\n"), "\n%")
	if strings.ContainsAny(raw, "\b\x1b") || mojibake.MatchString(raw) {
		return fortune{}, false
	}
	lines := strings.Split(strings.TrimRight(raw, "\n"), "\n")
	body, by := lines, ""
	for i := len(lines) - 1; i > 0; i-- {
		if attribution.MatchString(lines[i]) {
			body = lines[:i]
			by = clean(strings.Join(lines[i:], " "))
			break
		}
		if !strings.HasPrefix(lines[i], " ") && !strings.HasPrefix(lines[i], "\t") {
			break // attributions come last, and wrap onto indented lines
		}
	}
	text := clean(strings.Join(body, "\n"))
	if text == "" || !mostlyLetters(text) {
		return fortune{}, false
	}
	doc := strings.Join(paragraphs(strings.Join(body, "\n")), "\n")
	if by != "" {
		doc += "\n" + by
	}
	return fortune{File: file, Text: text, Doc: doc}, true
}
