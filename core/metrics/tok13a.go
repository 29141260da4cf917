package metrics

import (
	"regexp"
	"strings"
)

// The language-dependent rules of mteval-v13a.pl, as sacreBLEU applies them.
var tok13aRules = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Every ASCII punctuation mark but ' - . and , (the last two follow):
	// {|}~ [\]^_` !"#$%& ()*+ :;<=>?@ / (and the space, harmlessly).
	{regexp.MustCompile("([{-~\\[-` -&(-+:-@/])"), " ${1} "},
	// A period or comma not preceded by a digit.
	{regexp.MustCompile(`([^0-9])([.,])`), "${1} ${2} "},
	// A period or comma not followed by a digit.
	{regexp.MustCompile(`([.,])([^0-9])`), " ${1} ${2}"},
	// A dash preceded by a digit.
	{regexp.MustCompile(`([0-9])(-)`), "${1} ${2} "},
}

// Tokenize13a splits line into tokens as sacreBLEU's default "13a"
// tokenizer does (after its rstrip of the segment): it drops "<skipped>",
// joins words hyphenated across a line end, turns line ends into spaces,
// unescapes &quot; &amp; &lt; &gt; (in that order), separates punctuation,
// and splits on white space.
func Tokenize13a(line string) []string {
	line = strings.TrimRightFunc(line, isPySpace)
	line = strings.ReplaceAll(line, "<skipped>", "")
	line = strings.ReplaceAll(line, "-\n", "")
	line = strings.ReplaceAll(line, "\n", " ")
	if strings.Contains(line, "&") {
		line = strings.ReplaceAll(line, "&quot;", `"`)
		line = strings.ReplaceAll(line, "&amp;", "&")
		line = strings.ReplaceAll(line, "&lt;", "<")
		line = strings.ReplaceAll(line, "&gt;", ">")
	}
	line = " " + line + " "
	for _, r := range tok13aRules {
		line = r.re.ReplaceAllString(line, r.repl)
	}
	return pyFields(line)
}
