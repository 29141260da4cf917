package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// smallJSON returns a tokenizer.json whose vocabulary holds the 256 byte
// tokens (token of byte b has id b), then tokens with ids 256 and up, and
// the given merges ("a b") and added_tokens (a JSON array).
func smallJSON(tokens, merges []string, added string) []byte {
	vocab := map[string]int{}
	for b, r := range byteRune {
		vocab[string(r)] = b
	}
	for i, tok := range tokens {
		vocab[tok] = 256 + i
	}
	v, _ := json.Marshal(vocab)
	m, _ := json.Marshal(merges)
	if added == "" {
		added = "[]"
	}
	return fmt.Appendf(nil, `{"version":"1.0","added_tokens":%s,"normalizer":null,
		"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
		"post_processor":null,"decoder":{"type":"ByteLevel"},
		"model":{"type":"BPE","dropout":null,"unk_token":null,"vocab":%s,"merges":%s}}`, added, v, m)
}

func mustJSON(t testing.TB, data []byte) *Tokenizer {
	t.Helper()
	tok, err := FromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// ids maps byte-level tokens to their ids in tok.
func ids(t testing.TB, tok *Tokenizer, names ...string) []int {
	t.Helper()
	var out []int
	for _, n := range names {
		id, ok := tok.TokenID(n)
		if !ok {
			t.Fatalf("no token %q", n)
		}
		out = append(out, id)
	}
	return out
}

func TestMergeOrder(t *testing.T) {
	for _, tc := range []struct {
		merges []string
		text   string
		want   []string
	}{
		{[]string{"a a"}, "aaa", []string{"aa", "a"}},
		{[]string{"a a"}, "aaaa", []string{"aa", "aa"}},
		{[]string{"a a", "aa aa"}, "aaaa", []string{"aaaa"}},
		{[]string{"a a", "aa a"}, "aaaaa", []string{"aa", "aaa"}},
		{[]string{"b c", "a b"}, "abc", []string{"a", "bc"}},
		{[]string{"a b", "b c"}, "abc", []string{"ab", "c"}},
		{[]string{"a b", "b c", "ab c"}, "abcbc", []string{"abc", "bc"}},
		{[]string{"Ġ t", "h e", "Ġt he"}, " the theme", []string{"Ġthe", "Ġthe", "m", "e"}},
	} {
		var tokens []string
		for _, m := range tc.merges {
			tokens = append(tokens, strings.ReplaceAll(m, " ", ""))
		}
		tok := mustJSON(t, smallJSON(tokens, tc.merges, ""))
		if got, want := tok.Encode(tc.text), ids(t, tok, tc.want...); !slices.Equal(got, want) {
			t.Errorf("merges %q: Encode(%q) = %v, want %v %q", tc.merges, tc.text, got, want, tc.want)
		}
	}
}

func TestPretokenSplits(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"it's I'M we'll", []string{"it", "'s", " I", "'", "M", " we", "'ll"}},
		{"a   b", []string{"a", "  ", " b"}},
		{"a \t\nb", []string{"a", " \t", "\n", "b"}},
		{"end  ", []string{"end", "  "}},
		{"x\u0085\u0085y", []string{"x", "\u0085", "\u0085", "y"}},     // NEL is whitespace
		{"x \ufeffy", []string{"x", " \ufeff", "y"}},                   // BOM is not
		{"12ab!?  ", []string{"12", "ab", "!?", "  "}},                 // runs of one class
		{"\xff\xfeab \xff", []string{"\xff\xfe", "ab", " \xff"}},       // invalid bytes are "other"
		{"e\u0301", []string{"e", "\u0301"}},                           // a combining mark is not a letter
		{"\u1c89\u1c8a\U0002EBF0", []string{"\u1c89\u1c8a\U0002EBF0"}}, // Unicode 16 letters
	} {
		var got []string
		for i := 0; i < len(tc.text); {
			end := nextPretoken(tc.text, i)
			got = append(got, tc.text[i:end])
			i = end
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("pre-tokens of %q = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestRoundTripAnyBytes(t *testing.T) {
	tok := mustJSON(t, smallJSON([]string{"Ġt"}, []string{"Ġ t"}, ""))
	for _, s := range []string{"", "\xff\xfe a\xc3", " t t\x00", strings.Repeat("\x80", 300), "<|endoftext|>"} {
		if got := tok.Decode(tok.Encode(s)); got != s {
			t.Errorf("Decode(Encode(%q)) = %q", s, got)
		}
	}
}

func TestDecodeSkipsUnknownIDs(t *testing.T) {
	tok := mustJSON(t, smallJSON(nil, nil, ""))
	if got := tok.Decode([]int{-1, 'h', 1 << 40, 'i', tok.VocabSize()}); got != "hi" {
		t.Errorf("Decode = %q, want %q", got, "hi")
	}
}

func TestUnknownBytes(t *testing.T) {
	vocab := `{"a":0,"<unk>":1}`
	for _, tc := range []struct {
		model string
		want  []int
	}{
		{`"unk_token":null`, []int{0, 0}},
		{`"unk_token":"<unk>"`, []int{0, 1, 1, 0}},
		{`"unk_token":"<unk>","fuse_unk":true`, []int{0, 1, 0}},
	} {
		data := `{"pre_tokenizer":{"type":"ByteLevel"},"decoder":{"type":"ByteLevel"},"model":{"type":"BPE",` +
			tc.model + `,"vocab":` + vocab + `,"merges":[]}}`
		tok := mustJSON(t, []byte(data))
		if got := tok.Encode("abba"); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Encode(abba) = %v, want %v", tc.model, got, tc.want)
		}
	}
}

func TestEOS(t *testing.T) {
	if got := mustJSON(t, smallJSON(nil, nil, "")).EOS(); got != -1 {
		t.Errorf("EOS() without an end token = %d, want -1", got)
	}
	special := `[{"id":256,"content":"</s>","special":true},{"id":257,"content":"<|end_of_text|>","special":true}]`
	tok := mustJSON(t, smallJSON(nil, nil, special))
	if got := tok.EOS(); got != 257 {
		t.Errorf("EOS() = %d, want 257 (<|end_of_text|> before </s>)", got)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), smallJSON(nil, nil, special), 0o644); err != nil {
		t.Fatal(err)
	}
	for cfg, want := range map[string]int{
		`{"eos_token":"</s>"}`:                            256,
		`{"eos_token":{"content":"</s>","special":true}}`: 256,
		`{"eos_token":null,"bos_token":"</s>"}`:           257,
		`{"eos_token":"h"}`:                               'h',
		`{"eos_token":"<missing>"}`:                       -2,
		`{"eos_token":3}`:                                 -2,
		`{"eos_token":`:                                   -2,
	} {
		if err := os.WriteFile(filepath.Join(dir, "tokenizer_config.json"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		tok, err := Load(dir)
		switch {
		case want == -2 && err == nil:
			t.Errorf("Load with tokenizer_config.json %s: no error", cfg)
		case want != -2 && err != nil:
			t.Errorf("Load with tokenizer_config.json %s: %v", cfg, err)
		case want != -2 && tok.EOS() != want:
			t.Errorf("Load with tokenizer_config.json %s: EOS() = %d, want %d", cfg, tok.EOS(), want)
		}
	}
}

func TestConcurrentEncode(t *testing.T) {
	tok := mustJSON(t, smallJSON([]string{"Ġt", "he", "Ġthe"}, []string{"Ġ t", "h e", "Ġt he"}, ""))
	text := strings.Repeat("the theory of the thermos ", 50)
	want := tok.Encode(text)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if got := tok.Encode(text); !slices.Equal(got, want) {
					t.Error("concurrent Encode differs")
					return
				}
			}
		})
	}
	wg.Wait()
}
