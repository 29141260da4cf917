package tokenizer

import (
	"fmt"
	"slices"
)

// Limits on what a file may hold, far above any real tokenizer (GPT-2 has
// 50,257 tokens and 50,000 merges; the largest published vocabularies have
// about 260,000 tokens). They keep a corrupt or hostile file from taking all
// memory.
const (
	maxFileBytes = 128 << 20
	maxVocab     = 1 << 20 // tokens, and the largest id plus one
	maxMerges    = 1 << 21
)

// A spec is a tokenizer as a file describes it, before it is checked.
type spec struct {
	source       string         // the file it came from, for errors
	vocab        map[string]int // model token -> id
	merges       [][2]string    // in rank order
	added        []addedToken   // id is ignored: Hugging Face assigns it
	unk          string         // unknown token, "" if none
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	norm         []normStep
	pre          []preStage
	dec          decoder
	prefix       []int // ids the post-processor puts before a text
	suffix       []int // and after it
}

// build checks a spec and makes the Tokenizer it describes.
func build(s spec) (*Tokenizer, error) {
	if len(s.vocab) > maxVocab {
		return nil, fmt.Errorf("%s: %d tokens in the vocabulary, more than the %d this loader accepts", s.source, len(s.vocab), maxVocab)
	}
	if len(s.merges) > maxMerges {
		return nil, fmt.Errorf("%s: %d merges, more than the %d this loader accepts", s.source, len(s.merges), maxMerges)
	}
	if len(s.added) > maxVocab {
		return nil, fmt.Errorf("%s: %d added tokens, more than the %d this loader accepts", s.source, len(s.added), maxVocab)
	}
	t := &Tokenizer{
		model: bpe{vocab: make(map[string]int32, len(s.vocab)), unk: -1, fuseUnk: s.fuseUnk,
			ignoreMerges: s.ignoreMerges, byteFallback: s.byteFallback},
		added:  map[string]*addedToken{},
		norm:   s.norm,
		pre:    s.pre,
		dec:    s.dec,
		prefix: s.prefix,
		suffix: s.suffix,
	}
	for _, p := range s.pre {
		t.model.byteLevel = t.model.byteLevel || p.kind == preByteLevel
	}
	if t.model.byteLevel && s.byteFallback {
		return nil, fmt.Errorf("%s: byte_fallback is not supported with the ByteLevel pre-tokenizer: it belongs to SentencePiece-style BPE, whose words are text", s.source)
	}
	size := 0
	for tok, id := range s.vocab {
		if id < 0 || id >= maxVocab {
			return nil, fmt.Errorf("%s: token %q has id %d, outside [0, %d)", s.source, tok, id, maxVocab)
		}
		size = max(size, id+1)
	}
	byID := make([]string, size) // model tokens by id
	has := make([]bool, size)    // whether an id has a model token
	for tok, id := range s.vocab {
		if has[id] {
			other := byID[id]
			return nil, fmt.Errorf("%s: tokens %q and %q both have id %d; every token needs its own id", s.source, min(tok, other), max(tok, other), id)
		}
		byID[id], has[id] = tok, true
		t.model.vocab[tok] = int32(id)
	}
	for b, r := range byteRune {
		t.model.byteID[b], t.model.fallbackID[b] = -1, -1
		if id, ok := t.model.vocab[string(r)]; ok {
			t.model.byteID[b] = id
		}
		if id, ok := t.model.vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
			t.model.fallbackID[b] = id
		}
	}
	if err := t.setMerges(s); err != nil {
		return nil, err
	}
	if s.unk != "" {
		id, ok := t.model.vocab[s.unk]
		if !ok {
			return nil, fmt.Errorf("%s: unk_token %q is not in the vocabulary", s.source, s.unk)
		}
		t.model.unk = id
	}
	if err := t.setAdded(s, byID, has); err != nil {
		return nil, err
	}
	t.setDecoded(byID)
	for _, id := range append(slices.Clone(t.prefix), t.suffix...) {
		if id < 0 || id >= t.VocabSize() {
			return nil, fmt.Errorf("%s: the post_processor adds id %d, which names no token of this tokenizer", s.source, id)
		}
	}
	t.eos = t.findEOS()
	return t, nil
}

func (t *Tokenizer) setMerges(s spec) error {
	t.model.merges = make(map[uint64]merge, len(s.merges))
	for rank, mg := range s.merges {
		var ids [3]int32
		for i, tok := range [3]string{mg[0], mg[1], mg[0] + mg[1]} {
			id, ok := t.model.vocab[tok]
			if !ok {
				return fmt.Errorf("%s: merge %d (%q %q) needs the token %q, which is not in the vocabulary", s.source, rank+1, mg[0], mg[1], tok)
			}
			ids[i] = id
		}
		// A repeated pair takes its last rank, as in Hugging Face.
		t.model.merges[pairKey(ids[0], ids[1])] = merge{rank: int32(rank), result: ids[2]}
	}
	return nil
}

// setAdded gives the added tokens their ids as Hugging Face's
// AddedVocabulary::add_tokens does, whatever id the file wrote: the id the
// content already has, else the next one after the vocabulary and the
// added tokens so far.
func (t *Tokenizer) setAdded(s spec, byID []string, has []bool) error {
	maxAdded := -1
	for i := range s.added {
		a := s.added[i]
		if a.content == "" {
			continue
		}
		if old, ok := t.added[a.content]; ok {
			a.id = old.id
			a.special = a.special || old.special
		} else if id, ok := t.model.vocab[a.content]; ok {
			a.id = int(id)
		} else {
			a.id = len(s.vocab)
			if maxAdded >= len(s.vocab) || len(s.vocab) == 0 {
				a.id = maxAdded + 1
			}
			if a.id < len(has) && has[a.id] {
				return fmt.Errorf("%s: added token %q would get id %d, which the vocabulary gives to %q; "+
					"Hugging Face would confuse them: number the vocabulary from 0 without gaps", s.source, a.content, a.id, byID[a.id])
			}
			if a.id >= maxVocab {
				return fmt.Errorf("%s: added token %q would get id %d, past the %d this loader accepts", s.source, a.content, a.id, maxVocab)
			}
		}
		maxAdded = max(maxAdded, a.id)
		a.pattern = a.content
		if a.normalized {
			a.pattern = normalize(t.norm, a.content)
		}
		t.added[a.content] = &a
	}
	var raw, normalized []*addedToken
	for _, a := range t.added {
		if a.normalized {
			normalized = append(normalized, a)
		} else {
			raw = append(raw, a)
		}
	}
	t.raw, t.normalized = newMatcher(raw), newMatcher(normalized)
	return nil
}

// setDecoded fills the bytes each id decodes to. Added tokens take their
// ids from the model, where they share one; Hugging Face decodes a
// normalized added token as its normalized content.
func (t *Tokenizer) setDecoded(byID []string) {
	for _, a := range t.added {
		if a.id >= len(byID) {
			byID = append(byID, make([]string, a.id+1-len(byID))...)
		}
		byID[a.id] = a.pattern
	}
	t.names = byID
	t.offsets = make([]int, len(byID)+1)
	for id, tok := range byID {
		t.decoded = append(t.decoded, t.dec.token(tok, false)...)
		t.offsets[id+1] = len(t.decoded)
	}
}
