package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sort"
	"strings"
	"unicode/utf8"
)

// TrainBPE learns a GPT-2 style byte-level BPE vocabulary of exactly
// vocabSize tokens from texts and returns it as a Hugging Face
// tokenizer.json, which FromJSON and Hugging Face tokenizers load.
//
// Each text is split as Encode splits it: the specials are cut out first,
// then the GPT-2 expression splits the rest into pre-tokens, so a text's
// start and end always end a pre-token. The vocabulary starts from the 256
// byte tokens in the order of GPT-2's bytes_to_unicode (ids 0-255, as in
// GPT-2), then adds one token per merge, then the specials in the order
// given, as special added tokens (ids vocabSize-len(specials) and up).
//
// Training is Hugging Face's BpeTrainer algorithm: pair counts over the
// distinct pre-tokens, weighted by how often each occurs, kept up to date
// merge by merge through an index from each pair to the words holding it,
// and a priority queue of pairs. The pair merged next is the one with the
// highest count; among equal counts, the one whose left token has the
// lowest id, then the one whose right token has the lowest id, which is
// Hugging Face's rule. Every merge makes a new token: no two merges spell
// the same bytes, because the bytes of a token, once they are one token in
// some word, were merged exactly as in a word of their own.
//
// It is an error if the texts allow fewer merges than vocabSize needs.
func TrainBPE(texts iter.Seq[string], specials []string, vocabSize int) ([]byte, error) {
	if err := checkSpecials(specials, vocabSize); err != nil {
		return nil, err
	}
	tr := newTrainer(countPretokens(texts, specials))
	if err := tr.run(vocabSize - len(specials)); err != nil {
		return nil, fmt.Errorf("tokenizer: %w: at most %d tokens with the %d special tokens, and %d were asked for; give more text or ask for fewer tokens",
			err, len(tr.tokens)+len(specials), len(specials), vocabSize)
	}
	return tr.json(specials)
}

func checkSpecials(specials []string, vocabSize int) error {
	if vocabSize > maxVocab {
		return fmt.Errorf("tokenizer: vocabulary of %d tokens asked for, more than the %d this package loads", vocabSize, maxVocab)
	}
	if least := 256 + len(specials); vocabSize < least {
		return fmt.Errorf("tokenizer: vocabulary of %d tokens asked for, but the 256 byte tokens and %d special tokens need at least %d", vocabSize, len(specials), least)
	}
	seen := map[string]bool{}
	for _, s := range specials {
		if s == "" {
			return errors.New("tokenizer: a special token is the empty string; give every special token some text")
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("tokenizer: special token %q is not valid UTF-8; tokenizer.json can only hold UTF-8 text", s)
		}
		if seen[s] {
			return fmt.Errorf("tokenizer: special token %q is given twice", s)
		}
		seen[s] = true
	}
	return nil
}

// countPretokens returns how often each pre-token occurs in texts, with the
// specials cut out as Encode cuts them.
func countPretokens(texts iter.Seq[string], specials []string) map[string]int64 {
	var toks []*addedToken
	for _, s := range specials {
		toks = append(toks, &addedToken{content: s, special: true})
	}
	cut := newMatcher(toks)
	counts := map[string]int64{}
	for text := range texts {
		for part, tok := range cut.parts(text) {
			if tok != nil {
				continue
			}
			for i := 0; i < len(part); {
				end := nextPretoken(part, i)
				w := part[i:end]
				if n, ok := counts[w]; ok {
					counts[w] = n + 1
				} else {
					counts[strings.Clone(w)] = 1
				}
				i = end
			}
		}
	}
	return counts
}

// A trainWord is a distinct pre-token: its current tokens are
// syms[start:start+n], and it occurs count times in the texts.
type trainWord struct {
	start, n int
	count    int64
}

// A pairStat is an adjacent pair of tokens: how often it occurs, and the
// words where it was formed (some may have lost it since, and a word may be
// listed more than once).
type pairStat struct {
	count int64
	words []int32
	stamp int32 // the merge step that last raised the count
}

// A queued pair had count when it was queued; the count may be out of date.
type queued struct {
	count int64
	key   uint64 // pairKey(left, right)
}

type trainer struct {
	tokens  []string   // raw bytes of each token, by id
	merges  [][2]int32 // in rank order: merge k made token 256+k
	words   []trainWord
	syms    []int32 // the tokens of every word, one word after another
	pairIdx map[uint64]int32
	pairs   []pairStat
	queue   []queued // a binary heap: highest count, then lowest key, on top
	seen    []int32  // the merge step that last visited each word
	step    int32
	raised  []uint64 // pairs whose count rose in this step
}

// byteOrder lists the bytes in the order of GPT-2's vocabulary: by the rune
// that stands for each byte (bytelevel.go).
var byteOrder = func() (order [256]byte) {
	for b := range order {
		order[b] = byte(b)
	}
	sort.Slice(order[:], func(i, j int) bool { return byteRune[order[i]] < byteRune[order[j]] })
	return order
}()

func newTrainer(counts map[string]int64) *trainer {
	tr := &trainer{pairIdx: map[uint64]int32{}}
	var byteID [256]int32
	for id, b := range byteOrder {
		byteID[b] = int32(id)
		tr.tokens = append(tr.tokens, string([]byte{b}))
	}
	for w, count := range counts {
		tr.words = append(tr.words, trainWord{start: len(tr.syms), n: len(w), count: count})
		for i := 0; i < len(w); i++ {
			tr.syms = append(tr.syms, byteID[w[i]])
		}
	}
	tr.seen = make([]int32, len(tr.words))
	for w, word := range tr.words {
		s := tr.syms[word.start : word.start+word.n]
		for i := 0; i+1 < len(s); i++ {
			tr.add(pairKey(s[i], s[i+1]), word.count, int32(w))
		}
	}
	tr.queueRaised()
	return tr
}

// queueRaised queues the pairs whose count rose in this step, and have some.
func (tr *trainer) queueRaised() {
	for _, key := range tr.raised {
		if count := tr.pairs[tr.pairIdx[key]].count; count > 0 {
			tr.push(queued{count, key})
		}
	}
	tr.raised = tr.raised[:0]
}

// add changes the count of a pair by delta; a rise records word w as
// holding the pair.
func (tr *trainer) add(key uint64, delta int64, w int32) {
	i, ok := tr.pairIdx[key]
	if !ok {
		i = int32(len(tr.pairs))
		tr.pairIdx[key] = i
		tr.pairs = append(tr.pairs, pairStat{stamp: -1})
	}
	p := &tr.pairs[i]
	p.count += delta
	if delta <= 0 {
		return
	}
	if n := len(p.words); n == 0 || p.words[n-1] != w {
		p.words = append(p.words, w)
	}
	if p.stamp != tr.step {
		p.stamp = tr.step
		tr.raised = append(tr.raised, key)
	}
}

// run merges until the model has size tokens.
func (tr *trainer) run(size int) error {
	for len(tr.tokens) < size {
		if len(tr.queue) == 0 {
			return fmt.Errorf("the texts allow only %d merges (every pre-token is then a single token)", len(tr.merges))
		}
		top := tr.pop()
		i := tr.pairIdx[top.key]
		if count := tr.pairs[i].count; count != top.count {
			if count > 0 {
				tr.push(queued{count, top.key})
			}
			continue
		}
		tr.step++
		left, right := int32(top.key>>32), int32(uint32(top.key))
		id := int32(len(tr.tokens))
		tr.tokens = append(tr.tokens, tr.tokens[left]+tr.tokens[right])
		tr.merges = append(tr.merges, [2]int32{left, right})
		words := tr.pairs[i].words
		tr.pairs[i].words = nil
		for _, w := range words {
			if tr.seen[w] != tr.step {
				tr.seen[w] = tr.step
				tr.mergeWord(w, left, right, id)
			}
		}
		tr.queueRaised()
	}
	return nil
}

// mergeWord replaces every left,right in word w by id, leftmost first, and
// updates the pair counts for the pairs lost and formed.
func (tr *trainer) mergeWord(w, left, right, id int32) {
	word := &tr.words[w]
	s := tr.syms[word.start : word.start+word.n]
	c := word.count
	n := 0 // s[:n] is the merged word so far
	for i := 0; i < len(s); {
		if i+1 == len(s) || s[i] != left || s[i+1] != right {
			s[n] = s[i]
			n++
			i++
			continue
		}
		tr.add(pairKey(left, right), -c, w)
		if n > 0 {
			tr.add(pairKey(s[n-1], left), -c, w)
			tr.add(pairKey(s[n-1], id), c, w)
		}
		if i+2 < len(s) {
			tr.add(pairKey(right, s[i+2]), -c, w)
			tr.add(pairKey(id, s[i+2]), c, w)
		}
		s[n] = id
		n++
		i += 2
	}
	word.n = n
}

func (a queued) before(b queued) bool {
	return a.count > b.count || a.count == b.count && a.key < b.key
}

func (tr *trainer) push(q queued) {
	h := append(tr.queue, q)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	tr.queue = h
}

func (tr *trainer) pop() queued {
	h := tr.queue
	top := h[0]
	h[0] = h[len(h)-1]
	h = h[:len(h)-1]
	for i := 0; ; {
		l, r, first := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].before(h[first]) {
			first = l
		}
		if r < len(h) && h[r].before(h[first]) {
			first = r
		}
		if first == i {
			break
		}
		h[i], h[first] = h[first], h[i]
		i = first
	}
	tr.queue = h
	return top
}

// json writes the trained tokenizer in the layout of GPT-2's tokenizer.json:
// the vocabulary in id order, one entry a line, and one merge a line.
func (tr *trainer) json(specials []string) ([]byte, error) {
	spelled := make([]string, len(tr.tokens), len(tr.tokens)+len(specials))
	index := make(map[string]int, len(tr.tokens))
	for id, raw := range tr.tokens {
		spelled[id] = byteLevel(raw)
		index[spelled[id]] = id
	}
	for _, s := range specials {
		if id, ok := index[s]; ok {
			return nil, fmt.Errorf("tokenizer: special token %q is spelled like the learned token %d (bytes %q); choose another special token", s, id, tr.tokens[id])
		}
		spelled = append(spelled, s)
	}
	var b bytes.Buffer
	b.WriteString("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
	for i, s := range specials {
		fmt.Fprintf(&b, "%s\n    {\"id\": %d, \"content\": %s, \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}",
			comma(i), len(tr.tokens)+i, quote(s))
	}
	b.WriteString("\n  ],\n  \"normalizer\": null,\n")
	b.WriteString("  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true},\n")
	b.WriteString("  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": false, \"use_regex\": true},\n")
	b.WriteString("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n")
	b.WriteString("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n")
	b.WriteString("    \"continuing_subword_prefix\": \"\",\n    \"end_of_word_suffix\": \"\",\n")
	b.WriteString("    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"ignore_merges\": false,\n    \"vocab\": {")
	for id, s := range spelled {
		fmt.Fprintf(&b, "%s\n      %s: %d", comma(id), quote(s), id)
	}
	b.WriteString("\n    },\n    \"merges\": [")
	for i, m := range tr.merges {
		fmt.Fprintf(&b, "%s\n      [%s, %s]", comma(i), quote(spelled[m[0]]), quote(spelled[m[1]]))
	}
	b.WriteString("\n    ]\n  }\n}\n")
	return b.Bytes(), nil
}

func comma(i int) string {
	if i == 0 {
		return ""
	}
	return ","
}

// quote writes s as a JSON string, leaving <, > and & as they are.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
