package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	gobuild "go/build"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// goSource returns the first n bytes or so of the Go distribution's own .go
// files, in lexical order: megabytes of English comments and code that are
// the same for a given Go release, split into lines as Hugging Face's
// trainer splits a file (each line keeps its "\n").
func goSource(tb testing.TB, n int) []string {
	tb.Helper()
	lines, err := goSourceLines(n)
	if err != nil {
		tb.Fatal(err)
	}
	return lines
}

func goSourceLines(n int) ([]string, error) {
	var lines []string
	size := 0
	errEnough := errors.New("enough")
	root := filepath.Join(gobuild.Default.GOROOT, "src")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for line := range strings.Lines(string(data)) {
			lines = append(lines, line)
			if size += len(line); size >= n {
				return errEnough
			}
		}
		return nil
	})
	if err != errEnough {
		return nil, fmt.Errorf("reading %d bytes of Go sources under %s: %v", n, root, err)
	}
	return lines, nil
}

// variedTexts returns texts unlike Go source: seeded random strings mixing
// many scripts, whitespace, emoji, special tokens, control characters and,
// unless validUTF8, bytes that are not UTF-8.
func variedTexts(validUTF8 bool) []string {
	fragments := []string{"the", " of", "é", "中", "😀", "1", "٣", " ", "  ", "\t", "\n", "\r\n", "'s", "'ll", "!", "{",
		"\x00", "\x7f", "<|endoftext|>", "<|pad|>", "<|", "\u00a0", "\u3000", " Ελληνικά", " Русский", "한국어", "👍🏽"}
	if !validUTF8 {
		fragments = append(fragments, "\xff", "\xc3", "\xe4\xb8", "\xf0\x9f\x98", "\xed\xa0\x80", "\xc0\xaf")
	}
	r := rand.New(rand.NewPCG(7, 11))
	var texts []string
	for range 300 {
		var b strings.Builder
		for range r.IntN(30) {
			b.WriteString(fragments[r.IntN(len(fragments))])
		}
		texts = append(texts, b.String())
	}
	return texts
}

// varied returns variedTexts and the tokenizer reference corpus (many
// scripts and whitespace cases).
func varied(tb testing.TB, validUTF8 bool) []string {
	tb.Helper()
	data, err := os.ReadFile(referenceDir + "/tokenizer/corpus.json")
	if err != nil {
		tb.Fatal(err)
	}
	var texts []string
	if err := json.Unmarshal(data, &texts); err != nil {
		tb.Fatal(err)
	}
	return append(texts, variedTexts(validUTF8)...)
}

var specials = []string{"<|endoftext|>", "<|pad|>"}

func mustTrain(tb testing.TB, texts []string, specials []string, vocabSize int) []byte {
	tb.Helper()
	data, err := TrainBPE(slices.Values(texts), specials, vocabSize)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// mergesOf is the merges of a tokenizer.json that TrainBPE wrote.
func mergesOf(t *testing.T, data []byte) [][2]string {
	t.Helper()
	var f struct {
		Model struct {
			Merges [][2]string `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Model.Merges
}

// trained is a tokenizer of 2,000 tokens trained on 300 kB of Go sources
// and the varied texts.
var trained = sync.OnceValues(func() ([]byte, error) {
	lines, err := goSourceLines(300 << 10)
	if err != nil {
		return nil, err
	}
	return TrainBPE(slices.Values(append(lines, variedTexts(false)...)), specials, 2000)
})

// unseenGo returns the 100 kB of Go sources after those trained on.
func unseenGo(t *testing.T) []string {
	return goSource(t, 400<<10)[len(goSource(t, 300<<10)):]
}

func mustTrained(t *testing.T) (*Tokenizer, []byte) {
	t.Helper()
	data, err := trained()
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, data), data
}

func TestTrainBPEVocabulary(t *testing.T) {
	tok, data := mustTrained(t)
	if got := tok.VocabSize(); got != 2000 {
		t.Errorf("VocabSize() = %d, want 2000", got)
	}
	for i, s := range specials {
		if id, ok := tok.TokenID(s); !ok || id != 1998+i {
			t.Errorf("TokenID(%q) = %d, %v, want %d", s, id, ok, 1998+i)
		}
	}
	if tok.EOS() != 1998 {
		t.Errorf("EOS() = %d, want 1998", tok.EOS())
	}
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Model.Vocab) != 2000 || len(f.Model.Merges) != 2000-256-len(specials) {
		t.Errorf("%d vocab entries and %d merges, want 2000 and %d", len(f.Model.Vocab), len(f.Model.Merges), 2000-256-len(specials))
	}
	for b, r := range byteRune {
		if id := f.Model.Vocab[string(r)]; id >= 256 {
			t.Errorf("byte %#x has id %d, want one below 256", b, id)
		}
	}
	if len(f.AddedTokens) != len(specials) || !f.AddedTokens[0].Special || *f.AddedTokens[0].Content != specials[0] {
		t.Errorf("added_tokens = %+v, want the special tokens %q", f.AddedTokens, specials)
	}
}

func TestTrainBPERoundTrip(t *testing.T) {
	tok, _ := mustTrained(t)
	texts := append(varied(t, false), unseenGo(t)[:500]...)
	texts = append(texts, "\xff\xfe\x00\x01", strings.Repeat("<|endoftext|>", 3)+"\x80")
	for _, text := range texts {
		ids := tok.Encode(text)
		if got := tok.Decode(ids); got != text {
			t.Fatalf("Decode(Encode(%q)) = %q", text, got)
		}
		if strings.Contains(text, "<|endoftext|>") && !slices.Contains(ids, tok.EOS()) {
			t.Fatalf("Encode(%q) = %v has no <|endoftext|> id %d", text, ids, tok.EOS())
		}
	}
}

// TestTrainBPECompresses checks that the merges pay: Go sources the
// tokenizer never saw take less than half as many tokens as bytes (Go code,
// line by line, is dense in punctuation and tabs: 2.2 bytes a token here,
// where 1 would mean no merge helped).
func TestTrainBPECompresses(t *testing.T) {
	tok, _ := mustTrained(t)
	unseen := strings.Join(unseenGo(t), "")
	n := len(tok.Encode(unseen))
	ratio := float64(len(unseen)) / float64(n)
	t.Logf("%d bytes of unseen Go source give %d tokens: %.2f bytes a token", len(unseen), n, ratio)
	if ratio < 2 {
		t.Errorf("%.2f bytes a token on unseen Go source, want at least 2", ratio)
	}
}

// TestTrainBPEDeterministic checks that the result depends only on the
// texts: not on Go's randomised map order, nor on the order of the texts.
func TestTrainBPEDeterministic(t *testing.T) {
	texts := append(goSource(t, 100<<10), varied(t, false)...)
	first := mustTrain(t, texts, specials, 1000)
	if again := mustTrain(t, texts, specials, 1000); !bytes.Equal(first, again) {
		t.Error("two trainings on the same texts gave different tokenizer.json files")
	}
	slices.Reverse(texts)
	if reversed := mustTrain(t, texts, specials, 1000); !bytes.Equal(first, reversed) {
		t.Error("training on the texts in reverse order gave a different tokenizer.json")
	}
}

// TestTrainBPETies checks the order of merges: highest count first, then
// the lowest left token id, then the lowest right token id, with ids in
// GPT-2's byte order (letters before Ġ, the space).
func TestTrainBPETies(t *testing.T) {
	for _, tc := range []struct {
		texts []string
		want  string
	}{
		{[]string{"cd", "ab"}, `[["a", "b"], ["c", "d"]]`},
		{[]string{"ab", "cd", "cd"}, `[["c", "d"], ["a", "b"]]`},
		{[]string{"ac", "ab"}, `[["a", "b"], ["a", "c"]]`},
		{[]string{" a", "ab", "x"}, `[["a", "b"], ["Ġ", "a"]]`},
		{[]string{"aaaa"}, `[["a", "a"], ["aa", "aa"]]`},
		{[]string{"abab", "ab"}, `[["a", "b"], ["ab", "ab"]]`},
	} {
		merges := mergesOf(t, mustTrain(t, tc.texts, nil, 258))
		var want [][2]string
		if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(merges, want) {
			t.Errorf("texts %q: merges %q, want %q", tc.texts, merges, want)
		}
	}
}

// TestTrainerCounts checks the incremental bookkeeping against a recount
// after training: every pair count, and every word's tokens against what the
// trained tokenizer makes of the word.
func TestTrainerCounts(t *testing.T) {
	tr := newTrainer(countPretokens(slices.Values(append(goSource(t, 100<<10), varied(t, false)...)), specials))
	if err := tr.run(1200); err != nil {
		t.Fatal(err)
	}
	recount := map[uint64]int64{}
	for _, w := range tr.words {
		s := tr.syms[w.start : w.start+w.n]
		for i := 0; i+1 < len(s); i++ {
			recount[pairKey(s[i], s[i+1])] += w.count
		}
	}
	for key, i := range tr.pairIdx {
		if got, want := tr.pairs[i].count, recount[key]; got != want {
			t.Fatalf("pair %d,%d: count %d, recount %d", key>>32, uint32(key), got, want)
		}
	}
	for key := range recount {
		if _, ok := tr.pairIdx[key]; !ok {
			t.Fatalf("pair %d,%d is in the words but was never counted", key>>32, uint32(key))
		}
	}
	data, err := tr.json(nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := mustJSON(t, data)
	for _, w := range tr.words {
		var word strings.Builder
		want := tr.syms[w.start : w.start+w.n]
		for _, id := range want {
			word.WriteString(tr.tokens[id])
		}
		if got := tok.model.encodeWord(word.String()); !slices.Equal(got, want) {
			t.Fatalf("word %q: trained into %v, encoded as %v", word.String(), want, got)
		}
	}
}

// TestTrainerNewTokens checks, on many small random corpora trained until
// no pair is left, that no two merges spell the same token, as TrainBPE's
// documentation argues: the texts are runs of few letters, where merges
// overlap the most.
func TestTrainerNewTokens(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 3000 {
		var texts []string
		letters := "ab c"[:2+r.IntN(3)]
		for range 1 + r.IntN(6) {
			var b strings.Builder
			for range 1 + r.IntN(12) {
				b.WriteByte(letters[r.IntN(len(letters))])
			}
			for range 1 + r.IntN(3) {
				texts = append(texts, b.String())
			}
		}
		tr := newTrainer(countPretokens(slices.Values(texts), nil))
		if err := tr.run(maxVocab); err == nil {
			t.Fatalf("texts %q: training did not stop when no pair was left", texts)
		}
		seen := map[string]bool{}
		for _, tok := range tr.tokens {
			if seen[tok] {
				t.Fatalf("texts %q: two merges make %q", texts, tok)
			}
			seen[tok] = true
		}
	}
}

func TestTrainBPEErrors(t *testing.T) {
	texts := []string{"hello world", " x x x"}
	for _, tc := range []struct {
		specials  []string
		vocabSize int
		want      string
	}{
		{nil, 255, "at least 256"},
		{specials, 257, "at least 258"},
		{[]string{""}, 300, "empty string"},
		{[]string{"<s>", "<s>"}, 300, "given twice"},
		{[]string{"\xff"}, 300, "not valid UTF-8"},
		{nil, 1000, "allow only 10 merges"},
		{nil, 2 << 20, "more than"},
		{[]string{"Ġx"}, 259, "spelled like the learned token"},
	} {
		_, err := TrainBPE(slices.Values(texts), tc.specials, tc.vocabSize)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("TrainBPE(specials %q, %d): error %v, want one saying %q", tc.specials, tc.vocabSize, err, tc.want)
		}
	}
}

// TestTrainBPEMatchesHuggingFace runs tests/reference/tokenizer/check_trained.mjs:
// Hugging Face tokenizers (Rust) and tokenizers.js load the trained
// tokenizer.json and must give our ids, and Hugging Face's BpeTrainer,
// trained on the same lines, must learn the same merges in the same order.
func TestTrainBPEMatchesHuggingFace(t *testing.T) {
	for _, p := range []string{"tokenizers", "@huggingface/tokenizers", "gpt-3-encoder"} {
		if _, err := os.Stat(filepath.Join(referenceDir, "node_modules", p, "package.json")); err != nil {
			t.Fatalf("the JavaScript reference package %s is missing (%v): run `make deps` (npm ci --prefix tests/reference)", p, err)
		}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the Hugging Face references: %v", err)
	}
	tok, data := mustTrained(t)
	dir := t.TempDir()
	lines := goSource(t, 150<<10)
	texts := append(varied(t, true), unseenGo(t)[:300]...)
	job, err := json.Marshal(map[string]any{
		"tokenizer": filepath.Join(dir, "tokenizer.json"),
		"texts":     texts,
		"train":     filepath.Join(dir, "corpus.txt"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{
		"tokenizer.json": data, "corpus.txt": []byte(strings.Join(lines, "")), "job.json": job,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, referenceDir+"/tokenizer/check_trained.mjs", filepath.Join(dir, "job.json"), filepath.Join(dir, "out.json"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("check_trained.mjs: %v\n%s", err, msg)
	}
	var out struct {
		References string `json:"references"`
		VocabSize  int    `json:"vocab_size"`
		Rust, JS   []struct {
			IDs     []int  `json:"ids"`
			Decoded string `json:"decoded"`
		}
		HFMerges    [][2]string `json:"hf_merges"`
		HFVocabSize int         `json:"hf_vocab_size"`
	}
	outData, err := os.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(outData, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("references: %s", out.References)
	if out.VocabSize != tok.VocabSize() {
		t.Errorf("Hugging Face sees %d tokens, we have %d", out.VocabSize, tok.VocabSize())
	}
	for i, text := range texts {
		ids := tok.Encode(text)
		// JavaScript's \s differs from Rust's on U+0085 and U+FEFF.
		jsDiffers := strings.ContainsAny(text, "\u0085\ufeff")
		if !slices.Equal(out.Rust[i].IDs, ids) || !jsDiffers && !slices.Equal(out.JS[i].IDs, ids) {
			t.Fatalf("Encode(%q) = %v; tokenizers gives %v, tokenizers.js %v", text, ids, out.Rust[i].IDs, out.JS[i].IDs)
		}
		if out.Rust[i].Decoded != text || out.JS[i].Decoded != text {
			t.Fatalf("%q decodes to %q in tokenizers and %q in tokenizers.js", text, out.Rust[i].Decoded, out.JS[i].Decoded)
		}
	}
	checkGPT2ByteIDs(t, tok)
	compareHFMerges(t, lines, out.HFMerges, out.HFVocabSize)
}

// checkGPT2ByteIDs checks that the 256 byte tokens have GPT-2's ids.
func checkGPT2ByteIDs(t *testing.T, tok *Tokenizer) {
	data, err := os.ReadFile(filepath.Join(encoderDir, "encoder.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gpt2 map[string]int
	if err := json.Unmarshal(data, &gpt2); err != nil {
		t.Fatal(err)
	}
	for name, want := range gpt2 {
		if want < 256 {
			if got, ok := tok.TokenID(name); got != want {
				t.Errorf("byte token %q has id %d (%v), GPT-2 gives it %d", name, got, ok, want)
			}
		}
	}
}

// compareHFMerges trains on lines until no pair is left, as Hugging Face's
// trainer did, and compares every merge. Hugging Face's alphabet holds only
// the bytes of the file, but in the same order as ours, so the ids differ
// and the order of merges must not.
func compareHFMerges(t *testing.T, lines []string, hfMerges [][2]string, hfVocabSize int) {
	var present [256]bool
	alphabet := 0
	for _, l := range lines {
		for i := 0; i < len(l); i++ {
			if !present[l[i]] {
				present[l[i]] = true
				alphabet++
			}
		}
	}
	if hfVocabSize != alphabet+len(hfMerges) {
		t.Fatalf("Hugging Face learned %d merges but %d tokens besides the %d bytes of the Go sources: "+
			"two merges spelled the same token, which TrainBPE holds impossible", len(hfMerges), hfVocabSize-alphabet, alphabet)
	}
	for i, m := range mergesOf(t, mustTrain(t, lines, nil, 256+len(hfMerges))) {
		if m != hfMerges[i] {
			t.Fatalf("merge %d is %q, Hugging Face's BpeTrainer learns %q (of %d merges)", i, m, hfMerges[i], len(hfMerges))
		}
	}
	t.Logf("all %d merges equal Hugging Face's BpeTrainer's", len(hfMerges))
	if _, err := TrainBPE(slices.Values(lines), nil, 257+len(hfMerges)); err == nil {
		t.Errorf("training past the last merge Hugging Face found did not fail")
	}
}

// BenchmarkTrainBPE trains a 4,096-token vocabulary on 4 MB of Go sources.
func BenchmarkTrainBPE(b *testing.B) {
	lines := goSource(b, 4<<20)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := TrainBPE(slices.Values(lines), specials, 4096); err != nil {
			b.Fatal(err)
		}
	}
}
