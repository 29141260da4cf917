package tokenizer

import (
	"iter"
	"unicode"
	"unicode/utf8"
)

// An addedToken is matched in the text itself, before pre-tokenisation, and
// always gives its own id (Hugging Face's AddedToken: special tokens such as
// <|endoftext|>, and tokens added to a trained vocabulary).
type addedToken struct {
	content    string
	pattern    string // what is matched: the content, normalized if normalized is set
	id         int
	special    bool // a control token (end of text, padding, ...), not text
	singleWord bool // matches only where no word character touches it
	lstrip     bool // swallows the whitespace before it
	rstrip     bool // swallows the whitespace after it
	normalized bool // matched after normalisation (the second pass)
}

// A matcher finds added tokens in text, leftmost first and longest among
// those starting at the same place, as the Aho-Corasick automaton of
// Hugging Face tokenizers (MatchKind::LeftmostLongest) does.
type matcher struct {
	first [256]bool   // bytes that start some token
	nodes []matchNode // a byte trie; nodes[0] is the root
}

type matchNode struct {
	next map[byte]int32
	tok  *addedToken // the token ending here, nil if none
}

func newMatcher(toks []*addedToken) *matcher {
	m := &matcher{nodes: []matchNode{{}}}
	for _, t := range toks {
		if t.pattern == "" {
			continue
		}
		n := int32(0)
		for i := 0; i < len(t.pattern); i++ {
			b := t.pattern[i]
			child, ok := m.nodes[n].next[b]
			if !ok {
				if m.nodes[n].next == nil {
					m.nodes[n].next = map[byte]int32{}
				}
				child = int32(len(m.nodes))
				m.nodes[n].next[b] = child
				m.nodes = append(m.nodes, matchNode{})
			}
			n = child
		}
		m.nodes[n].tok = t
		m.first[t.pattern[0]] = true
	}
	return m
}

// find returns the leftmost-longest token in s[from:] and where it is.
func (m *matcher) find(s string, from int) (tok *addedToken, start, end int) {
	for i := from; i < len(s); i++ {
		if !m.first[s[i]] {
			continue
		}
		n := int32(0)
		for j := i; j < len(s); j++ {
			child, ok := m.nodes[n].next[s[j]]
			if !ok {
				break
			}
			n = child
			if t := m.nodes[n].tok; t != nil {
				tok, end = t, j+1
			}
		}
		if tok != nil {
			return tok, i, end
		}
	}
	return nil, len(s), len(s)
}

// parts splits s into text and added tokens, in order, as Hugging Face's
// AddedVocabulary::find_matches does: a single-word token touching a word
// character is skipped, lstrip and rstrip tokens take the whitespace around
// them with them (so it is not encoded), and empty text is left out. A nil
// token marks a text part. The search goes on after the whitespace an
// rstrip token took, where Hugging Face would yield overlapping parts for a
// token that starts with whitespace.
func (m *matcher) parts(s string) iter.Seq2[string, *addedToken] {
	return func(yield func(string, *addedToken) bool) {
		done := 0 // s[:done] has been yielded
		for from := 0; from < len(s); {
			tok, start, end := m.find(s, from)
			if tok == nil {
				break
			}
			from = end
			if tok.singleWord && (endsWithWordChar(s[:start]) || startsWithWordChar(s[end:])) {
				continue
			}
			if tok.lstrip {
				start = max(start-trailingSpace(s[:start]), done)
			}
			if tok.rstrip {
				end += leadingSpace(s[end:])
				from = end
			}
			if start > done && !yield(s[done:start], nil) {
				return
			}
			if !yield(s[start:end], tok) {
				return
			}
			done = end
		}
		if done < len(s) {
			yield(s[done:], nil)
		}
	}
}

// isWordChar reports whether r is in \w of Rust's regex crate: Alphabetic,
// marks, decimal digits, connector punctuation and joiners.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) ||
		unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_Alphabetic, r) ||
		unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Join_Control, r)
}

func endsWithWordChar(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return len(s) > 0 && isWordChar(r)
}

func startsWithWordChar(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return len(s) > 0 && isWordChar(r)
}

// trailingSpace returns the length in bytes of the whitespace ending s.
func trailingSpace(s string) int {
	n := len(s)
	for n > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:n])
		if !unicode.IsSpace(r) {
			break
		}
		n -= w
	}
	return len(s) - n
}

// leadingSpace returns the length in bytes of the whitespace starting s.
func leadingSpace(s string) int {
	n := 0
	for n < len(s) {
		r, w := utf8.DecodeRuneInString(s[n:])
		if !unicode.IsSpace(r) {
			break
		}
		n += w
	}
	return n
}
