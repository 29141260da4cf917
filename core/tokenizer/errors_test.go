package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// file returns a tokenizer.json with the model and the top-level fields
// given; empty arguments take GPT-2's values.
func file(model, extra string) string {
	if model == "" {
		model = `{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}`
	}
	if extra == "" {
		extra = `"pre_tokenizer":{"type":"ByteLevel"},"decoder":{"type":"ByteLevel"}`
	}
	return `{"model":` + model + `,` + extra + `}`
}

func TestFromJSONErrors(t *testing.T) {
	const pre = `"pre_tokenizer":{"type":"ByteLevel"},"decoder":{"type":"ByteLevel"}`
	for _, tc := range []struct{ name, data, want string }{
		{"not JSON", `{"model":`, "not a valid tokenizer file"},
		{"not an object", `[1,2]`, "not a valid tokenizer file"},
		{"no model", `{"pre_tokenizer":{"type":"ByteLevel"}}`, "no model"},
		{"version", `{"version":"2.0","model":{}}`, `version "2.0"`},
		{"model type", file(`{"type":"WordPiece","vocab":{}}`, ""), `model type "WordPiece" is not supported`},
		{"no vocab", file(`{"type":"BPE","merges":[]}`, ""), "no vocab"},
		{"vocab not object", file(`{"type":"BPE","vocab":[1]}`, ""), "not a valid tokenizer file"},
		{"fractional id", file(`{"type":"BPE","vocab":{"a":1.5}}`, ""), "not a valid tokenizer file"},
		{"negative id", file(`{"type":"BPE","vocab":{"a":-1}}`, ""), `token "a" has id -1`},
		{"huge id", file(`{"type":"BPE","vocab":{"a":1048576}}`, ""), `token "a" has id 1048576`},
		{"shared id", file(`{"type":"BPE","vocab":{"a":0,"b":0}}`, ""), `tokens "a" and "b" both have id 0`},
		{"merge unknown", file(`{"type":"BPE","vocab":{"a":0,"b":1},"merges":["a c"]}`, ""), `needs the token "c"`},
		{"merge result unknown", file(`{"type":"BPE","vocab":{"a":0,"b":1},"merges":[["a","b"]]}`, ""), `needs the token "ab"`},
		{"merge three parts", file(`{"type":"BPE","vocab":{"a":0},"merges":["a b c"]}`, ""), "not two tokens"},
		{"merge one part", file(`{"type":"BPE","vocab":{"a":0},"merges":["ab"]}`, ""), "not two tokens"},
		{"merge triple", file(`{"type":"BPE","vocab":{"a":0},"merges":[["a","b","c"]]}`, ""), "neither"},
		{"merge number", file(`{"type":"BPE","vocab":{"a":0},"merges":[7]}`, ""), "neither"},
		{"dropout", file(`{"type":"BPE","vocab":{},"dropout":0.1}`, ""), "dropout"},
		{"byte fallback", file(`{"type":"BPE","vocab":{},"byte_fallback":true}`, ""), "byte_fallback"},
		{"subword prefix", file(`{"type":"BPE","vocab":{},"continuing_subword_prefix":"##"}`, ""), "continuing_subword_prefix"},
		{"word suffix", file(`{"type":"BPE","vocab":{},"end_of_word_suffix":"</w>"}`, ""), "end_of_word_suffix"},
		{"unk missing", file(`{"type":"BPE","vocab":{},"unk_token":"<unk>"}`, ""), `unk_token "<unk>"`},
		{"normalizer", file("", `"normalizer":{"type":"NFC"},`+pre), `normalizer "NFC" is not supported`},
		{"normalizer bad", file("", `"normalizer":[],`+pre), "normalizer"},
		{"other pre-tokenizer", file("", `"pre_tokenizer":{"type":"Whitespace"},"decoder":{"type":"ByteLevel"}`), `pre_tokenizer "Whitespace"`},
		{"no decoder", file("", `"pre_tokenizer":{"type":"ByteLevel"}`), "no decoder"},
		{"other decoder", file("", `"pre_tokenizer":{"type":"ByteLevel"},"decoder":{"type":"WordPiece"}`), `decoder "WordPiece"`},
		{"added no content", file("", `"added_tokens":[{"id":3}],`+pre), "added token 0 has no content"},
		{"added id taken", file(`{"type":"BPE","vocab":{"a":0,"b":2}}`, `"added_tokens":[{"id":9,"content":"<x>"}],`+pre),
			`added token "<x>" would get id 2, which the vocabulary gives to "b"`},
	} {
		_, err := FromJSON([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestFromVocabMergesErrors(t *testing.T) {
	vocab := `{"a":0,"b":1,"ab":2}`
	for _, tc := range []struct{ name, vocab, merges, want string }{
		{"vocab not JSON", `{"a":`, "", "vocab.json: not a JSON object"},
		{"vocab null", `null`, "", "vocab.json: not a JSON object"},
		{"vocab array", `["a"]`, "", "vocab.json: not a JSON object"},
		{"merge three parts", vocab, "#version: 0.2\na b c\n", "merges.txt: line 2"},
		{"merge one part", vocab, "ab\n", "merges.txt: line 1"},
		{"merge unknown", vocab, "a c\n", `needs the token "c"`},
	} {
		_, err := FromVocabMerges([]byte(tc.vocab), []byte(tc.merges))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	tok, err := FromVocabMerges([]byte(vocab), []byte("#version: 0.2\r\na b\r\n\r\n"))
	if err != nil {
		t.Fatalf("merges.txt with CRLF line ends: %v", err)
	}
	if got := tok.Encode("ab"); len(got) != 1 || got[0] != 2 {
		t.Errorf("Encode(ab) = %v, want [2]", got)
	}
}

func TestSizeLimits(t *testing.T) {
	if _, err := FromJSON(make([]byte, maxFileBytes+1)); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("FromJSON of an oversized file: %v", err)
	}
	if _, err := FromVocabMerges(nil, make([]byte, maxFileBytes+1)); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("FromVocabMerges of an oversized file: %v", err)
	}
	vocab := make(map[string]int, maxVocab+1)
	for i := range maxVocab + 1 {
		vocab[strconv.Itoa(i)] = i % maxVocab
	}
	if _, err := build(spec{source: "test", vocab: vocab}); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("build with %d tokens: %v", len(vocab), err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileBytes + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("Load of an oversized file: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing path: no error")
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "holds neither") {
		t.Errorf("Load of an empty directory: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "vocab.json"), []byte(`{"a":0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "needs merges.txt") {
		t.Errorf("Load of vocab.json alone: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(`{`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a valid tokenizer file") {
		t.Errorf("Load of a broken tokenizer.json: %v", err)
	}
}

// Components this loader cannot reproduce are errors naming them.
func TestComponentErrors(t *testing.T) {
	const dec = `"decoder":{"type":"ByteLevel"}`
	pre := func(p string) string { return `"pre_tokenizer":` + p + `,` + dec }
	split := func(re string) string {
		b, _ := json.Marshal(re)
		return pre(`{"type":"Split","pattern":{"Regex":` + string(b) + `},"behavior":"Isolated","invert":false}`)
	}
	decoder := func(d string) string { return `"decoder":` + d }
	post := func(p string) string { return `"post_processor":` + p + `,` + pre(`{"type":"ByteLevel"}`) }
	for _, tc := range []struct{ name, extra, want string }{
		{"normalizer regex", `"normalizer":{"type":"Replace","pattern":{"Regex":" "},"content":"_"},` + dec, "Regex pattern is not supported"},
		{"normalizer nested", `"normalizer":{"type":"Sequence","normalizers":[{"type":"Lowercase"}]},` + dec, `normalizer "Lowercase"`},
		{"prepend empty", `"normalizer":{"type":"Prepend"},` + dec, "needs a prepend"},
		{"prepend long", `"normalizer":{"type":"Prepend","prepend":"` + strings.Repeat("x", 65) + `"},` + dec, "at most 64 bytes"},
		{"replace long", `"normalizer":{"type":"Replace","pattern":{"String":" "},"content":"` + strings.Repeat("x", 65) + `"},` + dec, "longer than 64"},
		{"regex long", split(strings.Repeat("a", 4097)), "more than the 4096"},
		{"whitespace", pre(`{"type":"Whitespace"}`), `pre_tokenizer "Whitespace"`},
		{"after byte level", pre(`{"type":"Sequence","pretokenizers":[{"type":"ByteLevel"},{"type":"Digits"}]}`), "after ByteLevel"},
		{"split string", pre(`{"type":"Split","pattern":{"String":" "},"behavior":"Isolated"}`), "only with a Regex"},
		{"split removed", pre(`{"type":"Split","pattern":{"Regex":" "},"behavior":"Removed"}`), `behavior "Removed"`},
		{"split invert", pre(`{"type":"Split","pattern":{"Regex":" "},"behavior":"Isolated","invert":true}`), "invert true"},
		{"look-behind", split(`(?<=a)b`), "(?<=...) is not supported"},
		{"look-ahead", split(`a(?=b)|\s+`), "(?=...) is not supported"},
		{"anchor", split(`^a`), "anchors"},
		{"unicode class", split(`\p{Lu}+`), `\p{Lu} is not supported`},
		{"digit class", split(`\d+`), `\d is not supported`},
		{"negated in class", split(`[\S]`), "negated class"},
		{"nested class", split(`[a[b]]`), "nested classes"},
		{"open class", split(`[ab`), "not closed"},
		{"bad go regexp", split(`a++`), "invalid nested repetition"},
		{"empty regex", split(``), "empty"},
		{"metaspace replacement", pre(`{"type":"Metaspace","replacement":"ab"}`), "one character"},
		{"metaspace scheme", pre(`{"type":"Metaspace","replacement":"▁","prepend_scheme":"sometimes"}`), `"sometimes"`},
		{"no decoder", `"pre_tokenizer":{"type":"ByteLevel"}`, "no decoder"},
		{"decoder ctc", decoder(`{"type":"CTC"}`), `decoder "CTC"`},
		{"decoder after fuse", decoder(`{"type":"Sequence","decoders":[{"type":"Fuse"},{"type":"ByteFallback"}]}`), `decoder "ByteFallback" after Fuse`},
		{"decoder after byte fallback", decoder(`{"type":"Sequence","decoders":[{"type":"ByteFallback"},{"type":"Replace","pattern":{"String":"a"},"content":"b"}]}`), `decoder "Replace" after ByteFallback`},
		{"decoder strip", decoder(`{"type":"Strip","content":"ab","start":1,"stop":0}`), "one character"},
		{"post unknown", post(`{"type":"Foo"}`), `post_processor "Foo"`},
		{"post no sequence", post(`{"type":"TemplateProcessing","single":[],"special_tokens":{}}`), "sequence A once"},
		{"post unknown special", post(`{"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>"}},{"Sequence":{"id":"A"}}],"special_tokens":{}}`), "neither a Sequence"},
		{"post id out of range", post(`{"type":"RobertaProcessing","cls":["<s>",7],"sep":["</s>",0]}`), "adds id 7"},
		{"nested too deep", pre(strings.Repeat(`{"type":"Sequence","pretokenizers":[`, 40) + strings.Repeat(`]}`, 40)), "nests more than 32 deep"},
		{"post roberta broken", post(`{"type":"RobertaProcessing","cls":["<s>"],"sep":["</s>",0]}`), "cls and sep"},
	} {
		_, err := FromJSON([]byte(file("", tc.extra)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	bf := file(`{"type":"BPE","vocab":{"a":0},"byte_fallback":true}`, pre(`{"type":"ByteLevel"}`))
	if _, err := FromJSON([]byte(bf)); err == nil || !strings.Contains(err.Error(), "byte_fallback") {
		t.Errorf("byte_fallback with ByteLevel: error %v", err)
	}
}
