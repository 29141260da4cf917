package tokenizer

import "fmt"

// A Tokenizer turns text into token ids and back. It is safe for concurrent
// use.
type Tokenizer struct {
	model          bpe
	added          map[string]*addedToken // by content
	raw            *matcher               // added tokens matched in the text as given
	normalized     *matcher               // added tokens matched in what the first pass left
	addPrefixSpace bool                   // a text part not starting with ' ' gets one
	useRegex       bool                   // split text parts with the GPT-2 expression
	decoded        []byte                 // bytes of every id, concatenated
	offsets        []int                  // id i decodes to decoded[offsets[i]:offsets[i+1]]
	eos            int
}

// Encode returns the ids of text. Added tokens in the text (such as
// <|endoftext|>) give their own ids, the rest is pre-tokenised and encoded
// with BPE, as Hugging Face tokenizers' encode with add_special_tokens=False
// does: no token is ever added around the text. Any string is accepted,
// including invalid UTF-8, whose bytes are encoded like any others.
func (t *Tokenizer) Encode(text string) []int {
	ids := make([]int, 0, len(text)/4+1)
	for part, tok := range t.raw.parts(text) {
		if tok != nil {
			ids = append(ids, tok.id)
			continue
		}
		for sub, tok := range t.normalized.parts(part) {
			if tok != nil {
				ids = append(ids, tok.id)
				continue
			}
			ids = t.appendText(ids, sub)
		}
	}
	return ids
}

// appendText encodes a part of the text that holds no added token.
func (t *Tokenizer) appendText(ids []int, s string) []int {
	if t.addPrefixSpace && s[0] != ' ' {
		s = " " + s
	}
	if !t.useRegex {
		return t.model.appendWord(ids, s)
	}
	for i := 0; i < len(s); {
		end := nextPretoken(s, i)
		ids = t.model.appendWord(ids, s[i:end])
		i = end
	}
	return ids
}

// Decode returns the bytes that ids stand for. Ids that name no token are
// skipped, as Hugging Face does. The result is exact: it may be invalid
// UTF-8 when ids split a character, and Decode(Encode(s)) == s whenever
// every byte has a token and no added token strips whitespace.
func (t *Tokenizer) Decode(ids []int) string {
	n := 0
	for _, id := range ids {
		if id >= 0 && id < t.VocabSize() {
			n += t.offsets[id+1] - t.offsets[id]
		}
	}
	out := make([]byte, 0, n)
	for _, id := range ids {
		if id >= 0 && id < t.VocabSize() {
			out = append(out, t.decoded[t.offsets[id]:t.offsets[id+1]]...)
		}
	}
	return string(out)
}

// VocabSize returns the largest id plus one, counting added tokens: the
// number of rows an embedding for this tokenizer needs.
func (t *Tokenizer) VocabSize() int { return len(t.offsets) - 1 }

// TokenID returns the id of a token as the vocabulary spells it: added
// tokens by their content ("<|endoftext|>"), model tokens in byte-level form
// ("Ġthe" for " the").
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
