package tokenizer

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hugging Face's Split pre-tokenizer runs an Oniguruma expression, such as
// Llama-3's
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// Go's regexp has the same leftmost-first alternation but no look-ahead,
// an ASCII-only \s, and Unicode 15 tables where Oniguruma has 16. So the
// expression is translated: \s becomes Unicode White_Space, \p{L} and \p{N}
// gain the letters and numbers of Unicode 16, and the ending
// \s+(?!\S)|\s+ that every such expression shares is matched by hand, as
// the GPT-2 scanner does. What cannot be translated faithfully (other
// look-arounds, anchors, \d \w \b, other Unicode classes, POSIX classes) is
// an error naming it.

// spaceTail is the ending matched by hand.
const spaceTail = `\s+(?!\S)|\s+`

// A splitRegex finds the pieces of a Split pre-tokenizer.
type splitRegex struct {
	head      *regexp.Regexp // the alternatives before spaceTail, anchored; nil if none
	spaceTail bool           // the expression ends with spaceTail
}

func compileSplit(pattern string) (*splitRegex, error) {
	r := &splitRegex{}
	head := pattern
	switch {
	case pattern == spaceTail:
		head, r.spaceTail = "", true
	case strings.HasSuffix(pattern, "|"+spaceTail):
		head, r.spaceTail = pattern[:len(pattern)-len(spaceTail)-1], true
	case pattern == "":
		return nil, fmt.Errorf("the expression is empty")
	}
	if head == "" {
		return r, nil
	}
	goExpr, err := translateRegex(head)
	if err != nil {
		return nil, fmt.Errorf("expression %q: %w", pattern, err)
	}
	if r.head, err = regexp.Compile(`^(?:` + goExpr + `)`); err != nil {
		return nil, fmt.Errorf("expression %q: %w", pattern, err)
	}
	return r, nil
}

// match returns the end of the match at s[j], or j if there is none.
func (r *splitRegex) match(s string, j int) int {
	if r.head != nil {
		if loc := r.head.FindStringIndex(s[j:]); loc != nil && loc[1] > 0 {
			return j + loc[1]
		}
	}
	if c, n := classAt(s, j); r.spaceTail && c == classSpace {
		return spaceEnd(s, j, n)
	}
	return j
}

// next returns the end of the piece at s[j]: a match, or the text up to the
// next match (Isolated keeps both).
func (r *splitRegex) next(s string, j int) int {
	if end := r.match(s, j); end > j {
		return end
	}
	for k := j; ; {
		_, n := utf8.DecodeRuneInString(s[k:])
		if k += n; k >= len(s) || r.match(s, k) > k {
			return k
		}
	}
}

// Translations of Oniguruma's classes into Go class members.
var (
	whiteSpace   = classMembers(unicode.White_Space)
	extraLetters = classMembers(lettersSince15)
	extraNumbers = classMembers(numbersSince15)
)

func classMembers(t *unicode.RangeTable) string {
	var b strings.Builder
	add := func(lo, hi, stride uint32) {
		if stride == 1 {
			fmt.Fprintf(&b, `\x{%x}-\x{%x}`, lo, hi)
			return
		}
		for c := lo; c <= hi; c += stride {
			fmt.Fprintf(&b, `\x{%x}`, c)
		}
	}
	for _, r := range t.R16 {
		add(uint32(r.Lo), uint32(r.Hi), uint32(r.Stride))
	}
	for _, r := range t.R32 {
		add(r.Lo, r.Hi, r.Stride)
	}
	return b.String()
}

// translateRegex rewrites an Oniguruma expression for Go's regexp.
func translateRegex(p string) (string, error) {
	var b strings.Builder
	inClass := false
	classStart := 0 // index of the first member of the open class
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\\':
			n, err := translateEscape(&b, p[i:], inClass)
			if err != nil {
				return "", err
			}
			i += n
			continue
		case inClass:
			if c == ']' && i > classStart {
				inClass = false
			} else if c == '[' || strings.HasPrefix(p[i:], "&&") {
				return "", fmt.Errorf("nested classes and class intersections are not supported")
			}
		case c == '[':
			b.WriteByte(c)
			i++
			if strings.HasPrefix(p[i:], "^") {
				b.WriteByte('^')
				i++
			}
			inClass, classStart = true, i
			continue
		case c == '^' || c == '$':
			return "", fmt.Errorf("anchors (%c) are not supported", c)
		case c == '(':
			for _, look := range []string{"(?=", "(?!", "(?<=", "(?<!", "(?>"} {
				if strings.HasPrefix(p[i:], look) {
					return "", fmt.Errorf("%s...) is not supported: the only look-around Go can stand in for is the ending %s", look, spaceTail)
				}
			}
		}
		_, n := utf8.DecodeRuneInString(p[i:])
		b.WriteString(p[i : i+n])
		i += n
	}
	if inClass {
		return "", fmt.Errorf("a class is not closed")
	}
	return b.String(), nil
}

// translateEscape writes the translation of the escape starting p and
// returns its length.
func translateEscape(b *strings.Builder, p string, inClass bool) (int, error) {
	if len(p) < 2 {
		return 0, fmt.Errorf("the expression ends with a backslash")
	}
	wrap := func(members string, negate bool) error {
		switch {
		case inClass && negate:
			return fmt.Errorf("a negated class (%s) inside a class is not supported", p[:2])
		case inClass:
			b.WriteString(members)
		case negate:
			b.WriteString("[^" + members + "]")
		default:
			b.WriteString("[" + members + "]")
		}
		return nil
	}
	switch p[1] {
	case 's', 'S':
		return 2, wrap(whiteSpace, p[1] == 'S')
	case 'p', 'P':
		name, n := "", 3
		if strings.HasPrefix(p[2:], "{") {
			end := strings.IndexByte(p, '}')
			if end < 0 {
				return 0, fmt.Errorf("%s is not closed", p[:2])
			}
			name, n = p[3:end], end+1
		} else if len(p) > 2 {
			name = p[2:3]
		}
		extra, ok := map[string]string{"L": extraLetters, "N": extraNumbers}[name]
		if !ok {
			return 0, fmt.Errorf(`\%c{%s} is not supported, only \p{L} and \p{N} (Go's other Unicode classes are a version behind Oniguruma's)`, p[1], name)
		}
		return n, wrap(`\p{`+name+`}`+extra, p[1] == 'P')
	case 'd', 'D', 'w', 'W', 'h', 'H', 'b', 'B', 'A', 'z', 'Z', 'G', 'K', 'R', 'X', 'k', 'g':
		return 0, fmt.Errorf(`\%c is not supported (Oniguruma and Go read it differently)`, p[1])
	}
	_, n := utf8.DecodeRuneInString(p[1:])
	b.WriteString(p[:1+n])
	return 1 + n, nil
}
