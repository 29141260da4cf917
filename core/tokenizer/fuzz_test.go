package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Seeds for the targets live in testdata/fuzz/<target>/.

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
		for _, text := range []string{"", "Hello <|endoftext|> world's  \n\t1234 é😀", "\xff\x00<unk> <mask>", " ▁a<s>b </s>  \r\n"} {
			ids := tok.Encode(text)
			for _, id := range ids {
				if id < 0 || id >= tok.VocabSize() {
					t.Fatalf("Encode(%q) gave id %d outside [0, %d)", text, id, tok.VocabSize())
				}
			}
			tok.Decode(ids)
			tok.DecodeContinuation(ids)
		}
		if bos := tok.BOS(); bos < -1 || bos >= tok.VocabSize() {
			t.Fatalf("BOS() = %d outside [-1, %d)", bos, tok.VocabSize())
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

// FuzzSplitMatchesScanner checks that GPT-2's expression, run as a Split
// pre-tokenizer through the Oniguruma-to-Go translation, cuts any string
// where the hand scanner does, and that Llama-3's expression cuts any
// string into pieces that tile it.
func FuzzSplitMatchesScanner(f *testing.F) {
	gpt2, err := compileSplit(`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`)
	if err != nil {
		f.Fatal(err)
	}
	llama3, err := compileSplit(`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i := 0; i < len(text); {
			want := nextPretoken(text, i)
			if got := gpt2.next(text, i); got != want {
				t.Fatalf("%q at %d: Split piece %q, scanner %q", text, i, text[i:got], text[i:want])
			}
			i = want
		}
		for i := 0; i < len(text); {
			end := llama3.next(text, i)
			if end <= i || end > len(text) {
				t.Fatalf("Llama-3 piece of %q at %d ends at %d", text, i, end)
			}
			i = end
		}
	})
}

// sentencePieceJSON is a Llama-2 style tokenizer.json with every
// byte-fallback token, a few characters and merges, <s> and </s>, and the
// given pre_tokenizer and normalizer.
func sentencePieceJSON(pre, norm string) []byte {
	vocab := map[string]int{"<unk>": 0, "<s>": 1, "</s>": 2}
	for b := range 256 {
		vocab[fmt.Sprintf("<0x%02X>", b)] = 3 + b
	}
	merges := [][2]string{{"▁", "t"}, {"h", "e"}, {"▁t", "he"}, {"▁", "▁"}, {"▁▁", "▁▁"}, {"é", "t"}}
	for _, tok := range []string{"▁", "t", "h", "e", "a", "é", "中", "😀"} {
		vocab[tok] = len(vocab)
	}
	for _, m := range merges {
		vocab[m[0]+m[1]] = len(vocab)
	}
	v, _ := json.Marshal(vocab)
	m, _ := json.Marshal(merges)
	return fmt.Appendf(nil, `{"added_tokens":[{"id":0,"content":"<unk>","special":true},{"id":1,"content":"<s>","special":true},
		{"id":2,"content":"</s>","special":true}],"normalizer":%s,"pre_tokenizer":%s,
		"post_processor":{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
			"special_tokens":{"<s>":{"id":"<s>","ids":[1],"tokens":["<s>"]}}},
		"decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]},
		"model":{"type":"BPE","unk_token":"<unk>","fuse_unk":true,"byte_fallback":true,"vocab":%s,"merges":%s}}`, norm, pre, v, m)
}

// FuzzSentencePieceRoundTrip checks that Llama-2 style tokenizers, in the
// normalizer form and the Metaspace form, give back any string that holds
// no "▁" and no added token, valid UTF-8 or not (in the Metaspace form, also
// no leading space: Hugging Face drops it too).
func FuzzSentencePieceRoundTrip(f *testing.F) {
	var toks []*Tokenizer
	for _, pn := range [][2]string{
		{"null", `{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]}`},
		{`{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":false}`, "null"},
		{`{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}`, "null"},
	} {
		tok, err := FromJSON(sentencePieceJSON(pn[0], pn[1]))
		if err != nil {
			f.Fatal(err)
		}
		toks = append(toks, tok)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if strings.Contains(text, "▁") || strings.Contains(text, "<s>") || strings.Contains(text, "</s>") || strings.Contains(text, "<unk>") {
			return
		}
		for i, tok := range toks {
			if i > 0 && strings.HasPrefix(text, " ") {
				continue // Metaspace takes a leading space for the one it would prepend
			}
			ids := tok.Encode(text)
			if got := tok.Decode(ids); got != text {
				t.Fatalf("tokenizer %d: Decode(Encode(%q)) = %q (ids %v)", i, text, got, ids)
			}
		}
	})
}
