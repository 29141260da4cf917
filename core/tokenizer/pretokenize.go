package tokenizer

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// The GPT-2 pre-tokenizer splits text with the regular expression
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// Go's regexp has no look-ahead, so nextPretoken reproduces it by hand. The
// alternatives are tried in order at each position and each takes its
// longest match; matches follow each other with no gap, since every
// character matches some alternative.

// A charClass is the regular-expression class a rune falls in.
type charClass uint8

const (
	classOther  charClass = iota // [^\s\p{L}\p{N}], and any byte that is not valid UTF-8
	classLetter                  // \p{L}
	classNumber                  // \p{N}
	classSpace                   // \s: Unicode White_Space, as Oniguruma and Python's regex use it
)

var asciiClass = func() (t [utf8.RuneSelf]charClass) {
	for r := range t {
		t[r] = unicodeClass(rune(r))
	}
	return t
}()

// bmpClass holds the class of every rune below U+10000, built on first use.
var bmpClass = sync.OnceValue(func() *[0x10000]charClass {
	var t [0x10000]charClass
	for r := range t {
		t[r] = unicodeClass(rune(r))
	}
	return &t
})

func unicodeClass(r rune) charClass {
	switch {
	case unicode.IsLetter(r) || unicode.Is(lettersSince15, r):
		return classLetter
	case unicode.IsNumber(r) || unicode.Is(numbersSince15, r):
		return classNumber
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}

// classAt returns the class of the rune starting at s[i] and its width in
// bytes. A byte that does not start valid UTF-8 is one "other" character.
func classAt(s string, i int) (charClass, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && n == 1:
		return classOther, 1
	case r < 0x10000:
		return bmpClass()[r], n
	}
	return unicodeClass(r), n
}

// runEnd returns the end of the run of class c that starts at s[i].
func runEnd(s string, i int, c charClass) int {
	for i < len(s) {
		ci, n := classAt(s, i)
		if ci != c {
			break
		}
		i += n
	}
	return i
}

// contractionEnd returns the end of 's 't 're 've 'm 'll or 'd at s[i], or 0.
func contractionEnd(s string, i int) int {
	if s[i] != '\'' || i+1 >= len(s) {
		return 0
	}
	switch s[i+1] {
	case 's', 't', 'm', 'd':
		return i + 2
	}
	if i+2 < len(s) {
		switch s[i+1 : i+3] {
		case "re", "ve", "ll":
			return i + 3
		}
	}
	return 0
}

// nextPretoken returns the end of the pre-token that starts at s[i], i < len(s).
func nextPretoken(s string, i int) int {
	if end := contractionEnd(s, i); end > 0 {
		return end
	}
	c, n := classAt(s, i)
	if s[i] == ' ' && i+1 < len(s) {
		// " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+" with the space.
		if c2, n2 := classAt(s, i+1); c2 != classSpace {
			return runEnd(s, i+1+n2, c2)
		}
	}
	if c != classSpace {
		return runEnd(s, i+n, c)
	}
	return spaceEnd(s, i, n)
}

// spaceEnd returns the end of \s+(?!\S)|\s+ at s[i], a space of n bytes.
func spaceEnd(s string, i, n int) int {
	end := runEnd(s, i+n, classSpace)
	if end == len(s) {
		return end
	}
	// \s+(?!\S) backs off one character so the last space can lead the next
	// word; a single space before a non-space is left to \s+.
	_, last := utf8.DecodeLastRuneInString(s[:end])
	if end-last > i {
		return end - last
	}
	return end
}
