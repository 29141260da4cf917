package tokenizer

import "strings"

type decodeKind uint8

const (
	decByteLevel    decodeKind = iota // byte-level characters back to bytes (then fused)
	decReplace                        // from becomes to
	decByteFallback                   // <0xNN> becomes the byte NN
	decMetaspace                      // the replacement character (from) becomes ' '
	decStrip                          // up to start leading and stop trailing from characters go
)

// A decodeStep is one of Hugging Face's decoders.
type decodeStep struct {
	kind        decodeKind
	from, to    string
	dropFirst   bool // Metaspace: the first token loses its replacement characters instead
	start, stop int  // Strip
}

// A decoder turns ids back into text as Hugging Face's decoder chain does:
// perToken steps on each token's text, which are then joined, and whole
// steps (Strip after a Fuse or ByteLevel) on the joined text. Unlike
// Hugging Face, which turns bytes that end inside a character into U+FFFD,
// the result keeps the exact bytes.
type decoder struct {
	perToken     []decodeStep
	whole        []decodeStep
	first        bool // a step treats the first token apart (Metaspace)
	fused        bool // parsing: a Fuse or ByteLevel has joined the tokens
	byteFallback bool // parsing: a ByteFallback has been seen
}

// token returns the bytes a token's text decodes to, as the first token of
// the text or not.
func (d *decoder) token(tok string, first bool) []byte {
	s := tok
	for _, st := range d.perToken {
		switch st.kind {
		case decByteLevel:
			s = string(tokenBytes(s))
		case decReplace:
			s = strings.ReplaceAll(s, st.from, st.to)
		case decByteFallback:
			if b, ok := fallbackByte(s); ok {
				s = string([]byte{b})
			}
		case decMetaspace:
			if first && st.dropFirst {
				s = strings.ReplaceAll(s, st.from, "")
			} else {
				s = strings.ReplaceAll(s, st.from, " ")
			}
		case decStrip:
			s = st.strip(s)
		}
	}
	return []byte(s)
}

// strip removes up to start leading and stop trailing copies of from.
func (st decodeStep) strip(s string) string {
	for range st.start {
		t, ok := strings.CutPrefix(s, st.from)
		if !ok {
			break
		}
		s = t
	}
	for range st.stop {
		t, ok := strings.CutSuffix(s, st.from)
		if !ok {
			break
		}
		s = t
	}
	return s
}

// fallbackByte reads a byte-fallback token, "<0xNN>", as Hugging Face's
// ByteFallback decoder does (Rust's u8::from_str_radix, which also takes
// "+N" for a one-digit number).
func fallbackByte(tok string) (byte, bool) {
	if len(tok) != 6 || !strings.HasPrefix(tok, "<0x") || tok[5] != '>' {
		return 0, false
	}
	hex := tok[3:5]
	if hex[0] == '+' {
		hex = hex[1:]
	}
	v := 0
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A') + 10
		default:
			return 0, false
		}
	}
	return byte(v), true
}
