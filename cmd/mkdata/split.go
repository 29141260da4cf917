package main

import (
	"hash/fnv"
	"sort"
	"strings"
)

// splitNames are the splits of every dataset, in file order.
var splitNames = []string{"train", "validation", "test"}

// hashSeed makes every split and sample depend on this program's choice
// alone. Changing it reshuffles every dataset.
const hashSeed = "prefixtune-datasets-v1"

// keyHash is the deterministic pseudo-random number of a grouping key
// (a headword, or a quotation's normalised text): FNV-1a 64 of the seed
// and the key.
func keyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(hashSeed + "\x00" + key))
	return h.Sum64()
}

// splitOf assigns a key to a split: 80% train, 10% validation, 10% test.
// Every row with the same key, in every dataset, lands in the same split.
func splitOf(key string) string {
	switch keyHash(key) % 10 {
	case 8:
		return "validation"
	case 9:
		return "test"
	}
	return "train"
}

// byHash sorts keys by keyHash, a fixed shuffle (ties by the key).
func byHash(keys []string) {
	sort.Slice(keys, func(i, j int) bool {
		hi, hj := keyHash(keys[i]), keyHash(keys[j])
		return hi < hj || hi == hj && keys[i] < keys[j]
	})
}

// quoteKey is the grouping key of a quotation: lower case, letters and
// digits only, so that copies differing in punctuation or spacing count
// as the same quotation.
func quoteKey(text string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127)
	}), " ")
}
