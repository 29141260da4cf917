package tokenizer

import (
	"sync"
	"testing"
	"unicode/utf8"
)

// Seeds for both targets live in testdata/fuzz/<target>/.

// FuzzFromJSON checks that no tokenizer.json makes the loader, or a loaded
// tokenizer, panic, and that a loaded tokenizer's ids are in range.
func FuzzFromJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := FromJSON(data)
		if err != nil {
			if tok != nil {
				t.Fatal("FromJSON returned a tokenizer and an error")
			}
			return
		}
		for _, text := range []string{"", "Hello <|endoftext|> world's  \n\t1234 é😀", "\xff\x00<unk> <mask>"} {
			ids := tok.Encode(text)
			for _, id := range ids {
				if id < 0 || id >= tok.VocabSize() {
					t.Fatalf("Encode(%q) gave id %d outside [0, %d)", text, id, tok.VocabSize())
				}
			}
			tok.Decode(ids)
		}
		if eos := tok.EOS(); eos < -1 || eos >= tok.VocabSize() {
			t.Fatalf("EOS() = %d outside [-1, %d)", eos, tok.VocabSize())
		}
	})
}

// roundTripTokenizer has every byte, some merges, and added tokens of every
// kind that keeps the text (no lstrip or rstrip).
var roundTripTokenizer = sync.OnceValues(func() (*Tokenizer, error) {
	tokens := []string{"Ġt", "he", "Ġthe", "in", "Ġa", "ĠĠ", "ĠĠĠĠ", "re", "'s"}
	merges := []string{"Ġ t", "h e", "Ġt he", "i n", "Ġ a", "Ġ Ġ", "ĠĠ ĠĠ", "' s", "r e"}
	added := `[{"id":265,"content":"<|endoftext|>","special":true,"normalized":false},
		{"id":266,"content":"<pad>","special":true,"normalized":true},
		{"id":267,"content":"the","special":false,"single_word":true}]`
	return FromJSON(smallJSON(tokens, merges, added))
})

// FuzzRoundTrip checks that Decode(Encode(s)) == s for any string, valid
// UTF-8 or not, and that pre-tokens tile the text.
func FuzzRoundTrip(f *testing.F) {
	tok, err := roundTripTokenizer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ids := tok.Encode(text)
		if got := tok.Decode(ids); got != text {
			t.Fatalf("Decode(Encode(%q)) = %q (ids %v)", text, got, ids)
		}
		for i := 0; i < len(text); {
			end := nextPretoken(text, i)
			if end <= i || end > len(text) {
				t.Fatalf("pre-token of %q at %d ends at %d", text, i, end)
			}
			if !utf8.ValidString(text) {
				break
			}
			if !utf8.ValidString(text[i:end]) {
				t.Fatalf("pre-token %q of valid %q splits a character", text[i:end], text)
			}
			i = end
		}
	})
}
