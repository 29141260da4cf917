package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Load reads a tokenizer from a tokenizer.json file, or from a directory
// holding tokenizer.json, or vocab.json and merges.txt, or GPT-2's original
// encoder.json and vocab.bpe. In a directory, a tokenizer_config.json naming
// an eos_token sets EOS.
func Load(path string) (*Tokenizer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if !info.IsDir() {
		data, err := readFile(path)
		if err != nil {
			return nil, err
		}
		return FromJSON(data)
	}
	t, err := loadDir(path)
	if err != nil {
		return nil, err
	}
	return t, setConfigEOS(t, filepath.Join(path, "tokenizer_config.json"))
}

func loadDir(dir string) (*Tokenizer, error) {
	data, err := readFile(filepath.Join(dir, "tokenizer.json"))
	if err == nil {
		return FromJSON(data)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, pair := range [][2]string{{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}} {
		vocab, err := readFile(filepath.Join(dir, pair[0]))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		merges, err := readFile(filepath.Join(dir, pair[1]))
		if err != nil {
			return nil, fmt.Errorf("%w (%s needs %s beside it)", err, pair[0], pair[1])
		}
		return FromVocabMerges(vocab, merges)
	}
	return nil, fmt.Errorf("tokenizer: %s holds neither tokenizer.json, nor vocab.json and merges.txt, nor encoder.json and vocab.bpe", dir)
}

// readFile reads a file of at most maxFileBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("tokenizer: reading %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("tokenizer: %s is larger than %d MiB, too large for a tokenizer file", path, maxFileBytes>>20)
	}
	return data, nil
}

// setConfigEOS applies the eos_token of a tokenizer_config.json, if there is one.
func setConfigEOS(t *Tokenizer, path string) error {
	data, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var cfg struct {
		EOS json.RawMessage `json:"eos_token"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("tokenizer: %s is not valid JSON: %w", path, err)
	}
	if len(cfg.EOS) == 0 || string(cfg.EOS) == "null" {
		return nil
	}
	var name string
	if json.Unmarshal(cfg.EOS, &name) != nil {
		var tok struct {
			Content string `json:"content"`
		}
		if err := json.Unmarshal(cfg.EOS, &tok); err != nil || tok.Content == "" {
			return fmt.Errorf("tokenizer: %s: eos_token must be a string or an object with a content string, not %s", path, cfg.EOS)
		}
		name = tok.Content
	}
	if err := t.setEOS(name); err != nil {
		return fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return nil
}

// The parts of Hugging Face's tokenizer.json that matter here; other fields
// (truncation, padding, offsets trimming) do not change ids.
type fileJSON struct {
	Version       *string         `json:"version"`
	AddedTokens   []addedJSON     `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	Decoder       json.RawMessage `json:"decoder"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Model         *modelJSON      `json:"model"`
}

type addedJSON struct {
	Content    *string `json:"content"`
	SingleWord bool    `json:"single_word"`
	LStrip     bool    `json:"lstrip"`
	RStrip     bool    `json:"rstrip"`
	Normalized *bool   `json:"normalized"`
	Special    bool    `json:"special"`
}

type modelJSON struct {
	Type                    *string        `json:"type"`
	Vocab                   map[string]int `json:"vocab"`
	Merges                  []mergeJSON    `json:"merges"`
	Dropout                 *float64       `json:"dropout"`
	UnkToken                *string        `json:"unk_token"`
	ContinuingSubwordPrefix *string        `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string        `json:"end_of_word_suffix"`
	FuseUnk                 bool           `json:"fuse_unk"`
	ByteFallback            bool           `json:"byte_fallback"`
	IgnoreMerges            bool           `json:"ignore_merges"`
}

// A mergeJSON is one merge, written "a b" (older files) or ["a", "b"].
type mergeJSON [2]string

func (m *mergeJSON) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		a, b, ok := strings.Cut(s, " ")
		if !ok || strings.Contains(b, " ") {
			return fmt.Errorf("merge %q is not two tokens separated by one space", s)
		}
		*m = mergeJSON{a, b}
		return nil
	}
	var pair []string
	if err := json.Unmarshal(data, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf("merge %s is neither \"a b\" nor [\"a\", \"b\"]", data)
	}
	*m = mergeJSON{pair[0], pair[1]}
	return nil
}

// FromJSON makes a tokenizer from the contents of a Hugging Face
// tokenizer.json holding a BPE model: byte-level BPE as GPT-2, SmolLM2 and
// Llama-3 use it, or SentencePiece-style BPE with byte fallback and the "▁"
// metaspace as Llama-2 and TinyLlama use it. The normalizer,
// pre-tokenizer, decoder and post-processor may be the components these
// models use (see components.go); anything else is an error naming what is
// not supported. Added tokens get the ids Hugging Face gives them when it
// loads the file, which are the ids the file records unless the file is
// inconsistent.
func FromJSON(data []byte) (*Tokenizer, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("tokenizer.json: %d bytes, more than the %d MiB this loader accepts", len(data), maxFileBytes>>20)
	}
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("tokenizer.json: not a valid tokenizer file: %w", err)
	}
	if f.Version != nil && *f.Version != "1.0" {
		return nil, fmt.Errorf("tokenizer.json: version %q is not supported, only \"1.0\"", *f.Version)
	}
	s, err := modelSpec(f.Model)
	if err != nil {
		return nil, err
	}
	if s.norm, err = parseNormalizer(f.Normalizer, nil); err != nil {
		return nil, err
	}
	if s.pre, err = parsePreTokenizer(f.PreTokenizer, nil); err != nil {
		return nil, err
	}
	if _, ok, err := parseComponent(f.Decoder, "decoder"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errors.New("tokenizer.json: no decoder: Hugging Face would join the tokens with spaces, which this loader does not do")
	}
	if err := parseDecoder(f.Decoder, &s.dec); err != nil {
		return nil, err
	}
	if s.prefix, s.suffix, err = parsePostProcessor(f.PostProcessor); err != nil {
		return nil, err
	}
	for i, a := range f.AddedTokens {
		if a.Content == nil {
			return nil, fmt.Errorf("tokenizer.json: added token %d has no content", i)
		}
		s.added = append(s.added, addedToken{
			content:    *a.Content,
			special:    a.Special,
			singleWord: a.SingleWord,
			lstrip:     a.LStrip,
			rstrip:     a.RStrip,
			// Hugging Face's default: special tokens are matched before normalisation.
			normalized: a.Normalized == nil && !a.Special || a.Normalized != nil && *a.Normalized,
		})
	}
	return build(s)
}

func modelSpec(m *modelJSON) (spec, error) {
	s := spec{source: "tokenizer.json"}
	switch {
	case m == nil:
		return s, errors.New("tokenizer.json: no model: this is not a tokenizer.json file")
	case m.Type != nil && *m.Type != "BPE":
		return s, fmt.Errorf("tokenizer.json: model type %q is not supported: only BPE (byte-level, or SentencePiece-style with byte fallback) can be loaded", *m.Type)
	case m.Vocab == nil:
		return s, errors.New("tokenizer.json: the model has no vocab")
	case m.Dropout != nil && *m.Dropout != 0:
		return s, fmt.Errorf("tokenizer.json: BPE dropout %g is not supported: it makes encoding random; set it to null", *m.Dropout)
	case m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "":
		return s, fmt.Errorf("tokenizer.json: continuing_subword_prefix %q is not supported", *m.ContinuingSubwordPrefix)
	case m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "":
		return s, fmt.Errorf("tokenizer.json: end_of_word_suffix %q is not supported", *m.EndOfWordSuffix)
	}
	s.vocab = m.Vocab
	s.merges = make([][2]string, len(m.Merges))
	for i, mg := range m.Merges {
		s.merges[i] = mg
	}
	if m.UnkToken != nil {
		s.unk = *m.UnkToken
	}
	s.fuseUnk = m.FuseUnk
	s.byteFallback = m.ByteFallback
	s.ignoreMerges = m.IgnoreMerges
	return s, nil
}

// FromVocabMerges makes a tokenizer from GPT-2's two files: vocab.json (also
// called encoder.json), a JSON object from byte-level token to id, and
// merges.txt (vocab.bpe), one merge "a b" a line in rank order after a
// "#version" line. As in transformers' GPT2Tokenizer, <|endoftext|> is a
// special token when the vocabulary has it.
func FromVocabMerges(vocab, merges []byte) (*Tokenizer, error) {
	if len(vocab) > maxFileBytes || len(merges) > maxFileBytes {
		return nil, fmt.Errorf("tokenizer: vocab.json or merges.txt is larger than the %d MiB this loader accepts", maxFileBytes>>20)
	}
	s := spec{
		source: "vocab.json and merges.txt",
		pre:    []preStage{{kind: preByteLevel, useRegex: true}},
		dec:    decoder{perToken: []decodeStep{{kind: decByteLevel}}},
	}
	if err := json.Unmarshal(vocab, &s.vocab); err != nil {
		return nil, fmt.Errorf("vocab.json: not a JSON object from token to id: %w", err)
	}
	if s.vocab == nil {
		return nil, errors.New("vocab.json: not a JSON object from token to id")
	}
	for n, line := range bytes.Split(merges, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 || bytes.HasPrefix(line, []byte("#version")) {
			continue
		}
		a, b, ok := strings.Cut(string(line), " ")
		if !ok || strings.Contains(b, " ") {
			return nil, fmt.Errorf("merges.txt: line %d %q is not two tokens separated by one space", n+1, line)
		}
		s.merges = append(s.merges, [2]string{a, b})
		if len(s.merges) > maxMerges {
			return nil, fmt.Errorf("merges.txt: more than the %d merges this loader accepts", maxMerges)
		}
	}
	if _, ok := s.vocab["<|endoftext|>"]; ok {
		s.added = []addedToken{{content: "<|endoftext|>", special: true}}
	}
	return build(s)
}
