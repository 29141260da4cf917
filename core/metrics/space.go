package metrics

import (
	"strings"
	"unicode"
)

// isPySpace reports whether Python's str.isspace holds for r: Go's
// unicode.IsSpace plus the information separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyFields splits s as Python's str.split() does.
func pyFields(s string) []string {
	return strings.FieldsFunc(s, isPySpace)
}

// pyStrip trims s as Python's str.strip() does.
func pyStrip(s string) string {
	return strings.TrimFunc(s, isPySpace)
}
