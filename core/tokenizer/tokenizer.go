package tokenizer

import (
	"fmt"
	"slices"
)

// A Tokenizer turns text into token ids and back. It is safe for concurrent
// use.
type Tokenizer struct {
	model      bpe
	added      map[string]*addedToken // by content
	raw        *matcher               // added tokens matched in the text as given
	normalized *matcher               // added tokens matched in the normalized text
	norm       []normStep             // the normalizer
	pre        []preStage             // the pre-tokenizer's stages
	dec        decoder
	names      []string // the text of the token of every id, "" for none
	decoded    []byte   // bytes of every id (not as the first token), concatenated
	offsets    []int    // id i decodes to decoded[offsets[i]:offsets[i+1]]
	prefix     []int    // ids the post-processor puts before a text
	suffix     []int    // and after it
	eos        int
}

// Encode returns the ids of text. Added tokens in the text (such as
// <|endoftext|> or <s>) give their own ids, the rest is normalized,
// pre-tokenised and encoded with BPE, as Hugging Face tokenizers' encode
// with add_special_tokens=False does: no token is ever added around the
// text (see BOS and Template for those). Any string is accepted, including
// invalid UTF-8, whose bytes are encoded like any others.
func (t *Tokenizer) Encode(text string) []int {
	ids := make([]int, 0, len(text)/4+1)
	first := true // the part starts the text
	for part, tok := range t.raw.parts(text) {
		atStart := first
		first = false
		if tok != nil {
			ids = append(ids, tok.id)
			continue
		}
		for sub, tok := range t.normalized.parts(normalize(t.norm, part)) {
			if tok != nil {
				ids = append(ids, tok.id)
			} else {
				ids = t.appendPieces(ids, sub, atStart, 0)
			}
			atStart = false
		}
	}
	return ids
}

// Decode returns the text of ids as Hugging Face's decode (with
// skip_special_tokens=False) gives it: for Llama-2, the space that starts
// the text is dropped. Ids that name no token are skipped. The result is
// exact where Hugging Face would write U+FFFD: it may be invalid UTF-8 when
// ids split a character. For a byte-level tokenizer, Decode(Encode(s)) == s
// whenever every byte has a token and no added token strips whitespace.
func (t *Tokenizer) Decode(ids []int) string {
	s := string(t.appendDecoded(nil, ids, true))
	for _, st := range t.dec.whole {
		s = st.strip(s)
	}
	return s
}

// DecodeContinuation returns the text ids add when they follow other ids:
// Decode without what the decoder does to the start of a text (Llama-2's
// dropped leading space). Decoding generated ids one at a time with it and
// concatenating gives the text Decode gives for all of them after a
// prompt.
func (t *Tokenizer) DecodeContinuation(ids []int) string {
	return string(t.appendDecoded(nil, ids, false))
}

func (t *Tokenizer) appendDecoded(out []byte, ids []int, start bool) []byte {
	for _, id := range ids {
		if id < 0 || id >= t.VocabSize() || t.names[id] == "" {
			continue
		}
		if start && t.dec.first {
			out = append(out, t.dec.token(t.names[id], true)...)
		} else {
			out = append(out, t.decoded[t.offsets[id]:t.offsets[id+1]]...)
		}
		start = false
	}
	return out
}

// BOS returns the id the tokenizer's post-processor puts before every text
// (<s> for Llama-2, <|begin_of_text|> for Llama-3), or -1 if it puts none
// (GPT-2, SmolLM2). Encode never adds it: data for a model trained with it
// should start with it.
func (t *Tokenizer) BOS() int {
	if len(t.prefix) == 1 {
		return t.prefix[0]
	}
	return -1
}

// Template returns the ids Hugging Face's post-processor puts before and
// after a single text (encode with add_special_tokens=True).
func (t *Tokenizer) Template() (prefix, suffix []int) {
	return slices.Clone(t.prefix), slices.Clone(t.suffix)
}

// VocabSize returns the largest id plus one, counting added tokens: the
// number of rows an embedding for this tokenizer needs.
func (t *Tokenizer) VocabSize() int { return len(t.offsets) - 1 }

// TokenID returns the id of a token as the vocabulary spells it: added
// tokens by their content ("<|endoftext|>"), model tokens as the model's
// vocabulary has them ("Ġthe" for " the" in byte-level BPE, "▁the" in
// Llama-2).
func (t *Tokenizer) TokenID(tok string) (int, bool) {
	if a, ok := t.added[tok]; ok {
		return a.id, true
	}
	id, ok := t.model.vocab[tok]
	return int(id), ok
}

// EOS returns the id of the end-of-text token, or -1 if the tokenizer has
// none: the eos_token of a tokenizer_config.json loaded with the directory,
// else <|endoftext|>, else a special added token named <|end_of_text|>, </s>
// or <eos>.
func (t *Tokenizer) EOS() int { return t.eos }

var eosNames = []string{"<|end_of_text|>", "</s>", "<eos>"}

func (t *Tokenizer) findEOS() int {
	if id, ok := t.TokenID("<|endoftext|>"); ok {
		return id
	}
	for _, name := range eosNames {
		if a, ok := t.added[name]; ok && a.special {
			return a.id
		}
	}
	return -1
}

// setEOS makes the token named by a tokenizer_config.json the end of text.
func (t *Tokenizer) setEOS(name string) error {
	id, ok := t.TokenID(name)
	if !ok {
		return fmt.Errorf("eos_token %q is not a token of this tokenizer: fix the eos_token of tokenizer_config.json", name)
	}
	t.eos = id
	return nil
}
