package tokenizer

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The Llama-2 tokenizer.json and the expected outputs come from
// tests/reference/tokenizer/make_llama_expected.mjs: the real Llama-2
// vocabulary (from llama-tokenizer-js) under the settings Llama-family
// tokenizer.json files use, and, as no SmolLM2 or Llama-3 vocabulary is
// available offline, the real GPT-2 vocabulary under SmolLM2's and
// Llama-3's byte-level settings.
const (
	llamaFile         = referenceDir + "/tokenizer/llama2_tokenizer.json"
	llamaExpectedFile = referenceDir + "/tokenizer/llama_expected.json"
	byteExpectedFile  = referenceDir + "/tokenizer/bytelevel_expected.json"
)

type llamaFiles struct {
	file                    []byte
	vocab, strMerges, pairs json.RawMessage
	expected                expectedFileJSON
}

var loadLlamaFiles = sync.OnceValues(func() (*llamaFiles, error) {
	var f llamaFiles
	var err error
	if f.file, err = os.ReadFile(llamaFile); err != nil {
		return nil, err
	}
	var doc struct {
		Model struct {
			Vocab  json.RawMessage `json:"vocab"`
			Merges []string        `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(f.file, &doc); err != nil {
		return nil, err
	}
	f.vocab = doc.Model.Vocab
	if f.pairs, f.strMerges, err = mergeForms(doc.Model.Merges); err != nil {
		return nil, err
	}
	return &f, readJSON(llamaExpectedFile, &f.expected)
})

func llama(t testing.TB) *llamaFiles {
	t.Helper()
	f, err := loadLlamaFiles()
	if err != nil {
		t.Fatalf("Llama-2 reference files: %v (made by tests/reference/tokenizer/make_llama_expected.mjs)", err)
	}
	return f
}

func TestLlamaMatchesHF(t *testing.T) {
	f := llama(t)
	if len(f.expected.Variants) < 9 {
		t.Fatalf("%s has %d variants, want at least 9", llamaExpectedFile, len(f.expected.Variants))
	}
	for _, v := range f.expected.Variants {
		for _, pairs := range []bool{false, true} {
			name, merges := v.Name+"/string_merges", f.strMerges
			if pairs {
				name, merges = v.Name+"/pair_merges", f.pairs
			}
			t.Run(name, func(t *testing.T) {
				tok := mustJSON(t, splice(t, v.TokenizerJSON, f.vocab, merges))
				checkVariant(t, tok, v)
				checkContinuation(t, tok, v)
			})
		}
	}
}

// The committed file loads as it is, from a path or a directory.
func TestLoadLlamaFile(t *testing.T) {
	f := llama(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), f.file, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{llamaFile, dir} {
		tok, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		checkVariant(t, tok, f.expected.Variants[0])
		if tok.BOS() != 1 || tok.EOS() != 2 {
			t.Errorf("Load(%s): BOS() = %d, EOS() = %d; want 1 and 2", p, tok.BOS(), tok.EOS())
		}
		// As Hugging Face's decode without skip_special_tokens: the page
		// shows them so in the Data step's first row.
		if b, e := tok.Decode([]int{1}), tok.Decode([]int{2}); b != "<s>" || e != "</s>" {
			t.Errorf("Load(%s): BOS and EOS decode as %q and %q, want <s> and </s>", p, b, e)
		}
	}
}

func TestByteLevelPipelinesMatchHF(t *testing.T) {
	f := gpt2(t)
	var expected expectedFileJSON
	if err := readJSON(byteExpectedFile, &expected); err != nil {
		t.Fatal(err)
	}
	if len(expected.Variants) < 6 {
		t.Fatalf("%s has %d variants, want at least 6", byteExpectedFile, len(expected.Variants))
	}
	for _, v := range expected.Variants {
		t.Run(v.Name, func(t *testing.T) {
			tok := mustJSON(t, splice(t, v.TokenizerJSON, f.vocabJSON, f.pairMerges))
			checkVariant(t, tok, v)
			checkContinuation(t, tok, v)
		})
	}
}

// checkContinuation checks that the ids of each case, decoded one at a
// time with DecodeContinuation, concatenate to what Decode gives after a
// leading token.
func checkContinuation(t *testing.T, tok *Tokenizer, v expectedVariant) {
	t.Helper()
	lead := tok.Encode("x")
	for _, c := range v.Cases {
		var b strings.Builder
		for _, id := range c.IDs {
			b.WriteString(tok.DecodeContinuation([]int{id}))
		}
		want := tok.Decode(append(lead[:len(lead):len(lead)], c.IDs...))
		if got := tok.Decode(lead) + b.String(); got != want {
			t.Errorf("%q: DecodeContinuation one id at a time gives %q after the lead, Decode %q", c.Text, got, want)
			return
		}
	}
}

// Digits splits where Rust's char::is_numeric holds, for every code point.
func TestDigitsMatchHF(t *testing.T) {
	var file struct {
		Ranges [][2]int `json:"digits_numeric_ranges"`
	}
	if err := readJSON(byteExpectedFile, &file); err != nil {
		t.Fatal(err)
	}
	numeric := make([]bool, utf8.MaxRune+1)
	for _, r := range file.Ranges {
		for c := r[0]; c <= r[1]; c++ {
			numeric[c] = true
		}
	}
	bad := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		if got, _ := isNumeric(string(r), 0); got != numeric[r] {
			t.Errorf("U+%04X numeric = %v, Hugging Face %v", r, got, numeric[r])
			if bad++; bad > 20 {
				t.Fatal("too many differences")
			}
		}
	}
}

// Llama-2 encodes any string and decodes it back, bytes that are not
// UTF-8 included, whenever it holds no "▁" and no added token.
func TestLlamaRoundTrip(t *testing.T) {
	tok := mustJSON(t, llama(t).file)
	for _, s := range []string{"", " ", "a\xffb\xc3", "\x00\U0010FFFF", " x  y ", "🦙\n\t", strings.Repeat("ab ", 400)} {
		if got := tok.Decode(tok.Encode(s)); got != s {
			t.Errorf("Decode(Encode(%q)) = %q", s, got)
		}
	}
	// The first id of 😀 is a byte: Decode gives the byte itself.
	ids := tok.Encode("😀")
	if got := tok.Decode(ids[:2]); got != "\xf0" {
		t.Errorf("Decode(%v) = %q, want the byte F0", ids[:2], got)
	}
}

func BenchmarkEncodeLlama(b *testing.B) {
	f := llama(b)
	benchEncodeCold(b, mustJSON(b, f.file), casesText(f.expected.Variants[0].Cases))
}

// The committed reference files are what make_llama_expected.mjs writes now.
func TestLlamaReferenceFilesCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Node reference script (10 to 20 s)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: cannot check that the reference files in tests/reference/tokenizer are current")
	}
	dir := t.TempDir()
	cmd := exec.Command(node, referenceDir+"/tokenizer/make_llama_expected.mjs", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make_llama_expected.mjs: %v\n%s(run `npm ci --prefix tests/reference` at the repository root)", err, out)
	}
	for _, name := range []string{"llama2_tokenizer.json", "llama_expected.json", "bytelevel_expected.json"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(referenceDir, "tokenizer", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("tests/reference/tokenizer/%s is not what make_llama_expected.mjs writes: run it again", name)
		}
	}
}

// BenchmarkEncodeSplit encodes with Llama-3's Split expression (the
// translated Go regexp) on the GPT-2 vocabulary, cold cache.
func BenchmarkEncodeSplit(b *testing.B) {
	f := gpt2(b)
	var expected expectedFileJSON
	if err := readJSON(byteExpectedFile, &expected); err != nil {
		b.Fatal(err)
	}
	for _, v := range expected.Variants {
		if v.Name != "llama3" {
			continue
		}
		benchEncodeCold(b, mustJSON(b, splice(b, v.TokenizerJSON, f.vocabJSON, f.pairMerges)), casesText(v.Cases))
	}
}
