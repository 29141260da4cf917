package tokenizer

import (
	"unicode/utf8"
)

// byteRune maps every byte to the printable rune that stands for it in a
// byte-level vocabulary (GPT-2's bytes_to_unicode): the printable Latin-1
// bytes stand for themselves, the other 68 bytes are moved to U+0100 and up
// in byte order. runeByte is the inverse, -1 for runes that stand for no
// byte.
var byteRune, runeByte = byteLevelTables()

func byteLevelTables() (b2r [256]rune, r2b [324]int) {
	for i := range r2b {
		r2b[i] = -1
	}
	n := 0
	for b := 0; b < 256; b++ {
		if b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE {
			b2r[b] = rune(b)
		} else {
			b2r[b] = rune(256 + n)
			n++
		}
		r2b[b2r[b]] = b
	}
	return b2r, r2b
}

// byteLevel returns the vocabulary spelling of the raw bytes s ("Ġthe" for
// " the").
func byteLevel(s string) string {
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		out = utf8.AppendRune(out, byteRune[s[i]])
	}
	return string(out)
}

// tokenBytes returns the bytes a vocabulary token stands for, as the
// ByteLevel decoder of Hugging Face tokenizers does: every rune mapped back
// to its byte, or, if some rune stands for no byte, the token's own UTF-8
// text unchanged.
func tokenBytes(tok string) []byte {
	out := make([]byte, 0, len(tok))
	for _, r := range tok {
		if r < 0 || int(r) >= len(runeByte) || runeByte[r] < 0 {
			return []byte(tok)
		}
		out = append(out, byte(runeByte[r]))
	}
	return out
}
