package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A normStep is one normalizer: Prepend (prepend != "") or Replace.
type normStep struct {
	prepend  string // put before any non-empty text
	from, to string // Replace: every from becomes to
}

// normalize applies the normalizer steps to one part of the text.
func normalize(steps []normStep, s string) string {
	for _, n := range steps {
		switch {
		case n.prepend != "":
			if s != "" {
				s = n.prepend + s
			}
		default:
			s = strings.ReplaceAll(s, n.from, n.to)
		}
	}
	return s
}

type preKind uint8

const (
	preByteLevel preKind = iota // GPT-2's expression, then bytes as byte-level characters
	preDigits                   // digits apart from the rest
	preSplit                    // pieces of a regular expression, Isolated
	preMetaspace                // spaces become the replacement character
)

type prependScheme uint8

const (
	prependAlways prependScheme = iota // every piece starts with the replacement
	prependFirst                       // only the piece at the start of the text
	prependNever
)

// A preStage is one pre-tokenizer: it cuts each piece the stage before
// left into smaller pieces (and may change their text).
type preStage struct {
	kind        preKind
	prefixSpace bool          // ByteLevel: a piece not starting with ' ' gets one
	useRegex    bool          // ByteLevel: split with GPT-2's expression
	individual  bool          // Digits: each digit alone, else runs of digits
	split       *splitRegex   // Split
	replacement string        // Metaspace: the character standing for ' ' ("▁")
	prepend     prependScheme // Metaspace
	metaSplit   bool          // Metaspace: each replacement character starts a piece
}

// appendPieces runs pre-tokenizer stages i and after on s, then the model
// on each final piece. atStart tells whether s starts the text (for
// Metaspace's "first" scheme).
func (t *Tokenizer) appendPieces(ids []int, s string, atStart bool, i int) []int {
	if i == len(t.pre) {
		return t.model.appendWord(ids, s)
	}
	p := &t.pre[i]
	var next func(s string, j int) int // end of the piece of s starting at j
	switch p.kind {
	case preByteLevel:
		if p.prefixSpace && s[0] != ' ' {
			s = " " + s
		}
		if !p.useRegex {
			return t.appendPieces(ids, s, atStart, i+1)
		}
		next = nextPretoken
	case preDigits:
		next = func(s string, j int) int { return digitsEnd(s, j, p.individual) }
	case preSplit:
		next = p.split.next
	case preMetaspace:
		s = strings.ReplaceAll(s, " ", p.replacement)
		if (p.prepend == prependAlways || p.prepend == prependFirst && atStart) && !strings.HasPrefix(s, p.replacement) {
			s = p.replacement + s
		}
		if !p.metaSplit {
			return t.appendPieces(ids, s, atStart, i+1)
		}
		next = func(s string, j int) int { return metaspaceEnd(s, j, p.replacement) }
	}
	for j := 0; j < len(s); {
		end := next(s, j)
		ids = t.appendPieces(ids, s[j:end], atStart && j == 0, i+1)
		j = end
	}
	return ids
}

// isNumeric reports whether the Digits pre-tokenizer takes the character at
// s[j] for a digit (Rust's char::is_numeric), and its width.
func isNumeric(s string, j int) (bool, int) {
	c, n := classAt(s, j)
	if c == classNumber {
		return true, n
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	return r > 0xFFFF && unicode.Is(numericSince16, r), n
}

// digitsEnd returns the end of the Digits piece at s[j]: one digit, a run of
// digits (individual false) or a run of other characters.
func digitsEnd(s string, j int, individual bool) int {
	digit, n := isNumeric(s, j)
	if digit && individual {
		return j + n
	}
	for j += n; j < len(s); j += n {
		var d bool
		if d, n = isNumeric(s, j); d != digit {
			break
		}
	}
	return j
}

// metaspaceEnd returns the end of the Metaspace piece at s[j]: Hugging Face
// splits at every replacement character, merging it with the text after
// it, but a replacement followed by another stands alone.
func metaspaceEnd(s string, j int, rep string) int {
	k := j
	if strings.HasPrefix(s[j:], rep) {
		k += len(rep)
		if strings.HasPrefix(s[k:], rep) {
			return k
		}
	}
	if n := strings.Index(s[k:], rep); n >= 0 {
		return k + n
	}
	return len(s)
}
