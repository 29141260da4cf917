package tokenizer

import (
	"sync"
	"unicode/utf8"
)

// bpe is the BPE model: the merges, keyed by the ids of the pair, and how
// a word's characters become its first symbols.
type bpe struct {
	byteLevel    bool               // words are bytes, each spelled as its byte-level character; else UTF-8 text
	byteID       [256]int32         // byte-level: id of the token for each byte; -1 if the vocabulary lacks it
	byteFallback bool               // a character not in the vocabulary becomes its bytes' <0xNN> tokens
	fallbackID   [256]int32         // id of <0xNN> for each byte NN; -1 if the vocabulary lacks it
	merges       map[uint64]merge   // pairKey(left, right) -> merge
	vocab        map[string]int32   // model tokens, as the vocabulary spells them, -> id
	ignoreMerges bool               // a word that is itself a token is not split
	unk          int32              // id of the unknown token, -1 if none
	fuseUnk      bool               // consecutive unknown characters give one unknown token
	cacheMu      sync.RWMutex       // guards cache
	cache        map[string][]int32 // word bytes -> ids, emptied when it reaches maxCacheLen
}

// A merge joins two adjacent tokens into result; lower rank merges first.
type merge struct {
	rank   int32
	result int32
}

func pairKey(left, right int32) uint64 { return uint64(uint32(left))<<32 | uint64(uint32(right)) }

const (
	maxCachedWord = 256     // longer words are not cached
	maxCacheLen   = 1 << 16 // the cache is emptied when it reaches this many words
)

// appendWord appends the ids of one pre-token word (raw bytes) to dst.
func (m *bpe) appendWord(dst []int, word string) []int {
	m.cacheMu.RLock()
	ids, ok := m.cache[word]
	m.cacheMu.RUnlock()
	if !ok {
		ids = m.encodeWord(word)
		if len(word) <= maxCachedWord {
			m.cacheMu.Lock()
			if m.cache == nil || len(m.cache) >= maxCacheLen {
				m.cache = make(map[string][]int32)
			}
			m.cache[word] = ids
			m.cacheMu.Unlock()
		}
	}
	for _, id := range ids {
		dst = append(dst, int(id))
	}
	return dst
}

// A symbol is one token of a word being merged, in a linked list over the
// word's initial symbols; a merged-away symbol has dead set.
type symbol struct {
	id         int32
	prev, next int32 // indices into the symbol slice, -1 at the ends
	dead       bool
}

// A candidate is a merge of the symbol at pos with its right neighbour,
// valid if that pair still merges into result when it is popped.
type candidate struct {
	rank, pos, result int32
}

// encodeWord runs BPE on one word as Hugging Face tokenizers does: the
// candidate with the lowest rank merges first, the leftmost of equal ranks.
func (m *bpe) encodeWord(word string) []int32 {
	if m.ignoreMerges {
		spelled := word
		if m.byteLevel {
			spelled = byteLevel(word)
		}
		if id, ok := m.vocab[spelled]; ok {
			return []int32{id}
		}
	}
	syms := make([]symbol, 0, len(word))
	add := func(id int32) {
		n := int32(len(syms))
		syms = append(syms, symbol{id: id, prev: n - 1, next: n + 1})
	}
	// As in Hugging Face's BPE::merge_word, an unknown token waits until the
	// next known character, and a character with no token, no byte fallback
	// and no unknown token is dropped.
	unk := false
	for i := 0; i < len(word); {
		id, n := m.initial(word, i)
		switch {
		case id >= 0:
			if unk {
				add(m.unk)
				unk = false
			}
			add(id)
		case m.fallback(word[i : i+n]):
			// Hugging Face leaves a pending unknown token for after these bytes.
			for k := i; k < i+n; k++ {
				add(m.fallbackID[word[k]])
			}
		case m.unk >= 0:
			if unk && !m.fuseUnk {
				add(m.unk)
			}
			unk = true
		}
		i += n
	}
	if unk {
		add(m.unk)
	}
	if len(syms) == 0 {
		return nil
	}
	syms[len(syms)-1].next = -1

	var h candidateHeap
	for i := 0; i+1 < len(syms); i++ {
		if mg, ok := m.merges[pairKey(syms[i].id, syms[i+1].id)]; ok {
			h.push(candidate{mg.rank, int32(i), mg.result})
		}
	}
	for len(h) > 0 {
		c := h.pop()
		left := &syms[c.pos]
		if left.dead || left.next < 0 {
			continue
		}
		right := &syms[left.next]
		if mg, ok := m.merges[pairKey(left.id, right.id)]; !ok || mg.result != c.result {
			continue // stale: a neighbour changed since this candidate was pushed
		}
		left.id = c.result
		right.dead = true
		left.next = right.next
		if left.next >= 0 {
			syms[left.next].prev = c.pos
			if mg, ok := m.merges[pairKey(left.id, syms[left.next].id)]; ok {
				h.push(candidate{mg.rank, c.pos, mg.result})
			}
		}
		if left.prev >= 0 {
			if mg, ok := m.merges[pairKey(syms[left.prev].id, left.id)]; ok {
				h.push(candidate{mg.rank, left.prev, mg.result})
			}
		}
	}
	ids := make([]int32, 0, len(syms))
	for i := int32(0); i >= 0; i = syms[i].next {
		ids = append(ids, syms[i].id)
	}
	return ids
}

// initial returns the id of the first symbol at word[i], -1 if the
// vocabulary has none, and its length: one byte in a byte-level word, one
// character (or one byte of invalid UTF-8) otherwise.
func (m *bpe) initial(word string, i int) (int32, int) {
	if m.byteLevel {
		return m.byteID[word[i]], 1
	}
	_, n := utf8.DecodeRuneInString(word[i:])
	if id, ok := m.vocab[word[i:i+n]]; ok {
		return id, n
	}
	return -1, n
}

// fallback reports whether byte fallback applies to the bytes of a
// character: every byte must have its <0xNN> token.
func (m *bpe) fallback(char string) bool {
	if !m.byteFallback {
		return false
	}
	for i := 0; i < len(char); i++ {
		if m.fallbackID[char[i]] < 0 {
			return false
		}
	}
	return true
}

// candidateHeap is a binary min-heap ordered by (rank, pos).
type candidateHeap []candidate

func (a candidate) less(b candidate) bool {
	return a.rank < b.rank || a.rank == b.rank && a.pos < b.pos
}

func (h *candidateHeap) push(c candidate) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].less(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *candidateHeap) pop() candidate {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, min := 2*i+1, 2*i+2, i
		if l < len(s) && s[l].less(s[min]) {
			min = l
		}
		if r < len(s) && s[r].less(s[min]) {
			min = r
		}
		if min == i {
			break
		}
		s[i], s[min] = s[min], s[i]
		i = min
	}
	*h = s
	return top
}
