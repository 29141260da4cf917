package data

import (
	"strings"
	"unicode"
)

// CleanOptions choose what Clean drops.
type CleanOptions struct {
	MaxTokens int     // drop examples longer than this many tokens (0: keep all); needs an Encoder
	Near      float64 // drop near duplicates: word-trigram Jaccard similarity at least Near (0: exact duplicates only)
}

// CleanReport counts what Clean did.
type CleanReport struct {
	Trimmed int `json:"trimmed"`  // examples whose fields had white space trimmed
	Empty   int `json:"empty"`    // dropped: nothing left to learn from
	TooLong int `json:"too_long"` // dropped: over MaxTokens
	Exact   int `json:"exact"`    // dropped: same prompt and completion as an earlier example (after normalising)
	Near    int `json:"near"`     // dropped: near duplicates of an earlier example
	Kept    int `json:"kept"`
}

// Clean trims white space around prompts (keeping a completion's single
// leading space, which separates it from the prompt), drops empty and
// over-long examples, and exact and near duplicates, keeping the first of
// each group in file order.
func Clean(exs []Example, enc Encoder, o CleanOptions) ([]Example, CleanReport) {
	var rep CleanReport
	var kept []Example
	idx := newShingleIndex()
	seen := map[string]bool{}
	for _, ex := range exs {
		t := Example{Prompt: strings.TrimSpace(ex.Prompt), Completion: trimCompletion(ex.Completion)}
		if t != ex {
			rep.Trimmed++
		}
		switch key := normalise(t.Prompt + "\x00" + t.Completion); {
		case strings.TrimSpace(t.Completion) == "":
			rep.Empty++
		case o.MaxTokens > 0 && enc != nil && len(Encode(enc, t.Prompt))+len(enc.Encode(t.Completion))+1 > o.MaxTokens:
			rep.TooLong++
		case seen[key]:
			rep.Exact++
		case o.Near > 0 && idx.similar(shingles(key), o.Near) >= 0:
			rep.Near++
		default:
			seen[key] = true
			if o.Near > 0 {
				idx.add(shingles(key))
			}
			kept = append(kept, t)
		}
	}
	rep.Kept = len(kept)
	return kept, rep
}

// trimCompletion trims white space at the end and collapses leading white
// space to the single space GPT-2 style completions start with.
func trimCompletion(s string) string {
	t := strings.TrimSpace(s)
	if t != "" && len(t) < len(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) > 0 {
		return " " + t
	}
	return t
}

// Leak is a test example that also appears, exactly or nearly, in training.
type Leak struct {
	Test       int     `json:"test"`  // index in the test examples
	Train      int     `json:"train"` // index of the most similar training example
	Similarity float64 `json:"similarity"`
}

// Leakage finds test examples whose prompt and completion also appear in
// train, exactly (similarity 1 after normalising) or with word-trigram
// Jaccard similarity at least near (0: exact only).
func Leakage(train, test []Example, near float64) []Leak {
	idx := newShingleIndex()
	exact := map[string]int{}
	for i, ex := range train {
		key := normalise(ex.Prompt + "\x00" + ex.Completion)
		if _, ok := exact[key]; !ok {
			exact[key] = i
		}
		idx.add(shingles(key))
	}
	var leaks []Leak
	for i, ex := range test {
		key := normalise(ex.Prompt + "\x00" + ex.Completion)
		if j, ok := exact[key]; ok {
			leaks = append(leaks, Leak{Test: i, Train: j, Similarity: 1})
			continue
		}
		if near > 0 {
			if j := idx.similar(shingles(key), near); j >= 0 {
				leaks = append(leaks, Leak{Test: i, Train: j, Similarity: idx.last})
			}
		}
	}
	return leaks
}

// normalise lowercases, drops punctuation and collapses white space, so
// that trivially different copies compare equal.
func normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 0:
			b.WriteRune(r)
			space = false
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		default:
			space = true
		}
	}
	return b.String()
}

// shingles returns the set of word trigrams of a normalised text (its
// words, if it has fewer than three).
func shingles(norm string) map[string]bool {
	w := strings.Fields(strings.ReplaceAll(norm, "\x00", " \x00 "))
	set := map[string]bool{}
	if len(w) < 3 {
		set[strings.Join(w, " ")] = true
		return set
	}
	for i := 0; i+3 <= len(w); i++ {
		set[w[i]+" "+w[i+1]+" "+w[i+2]] = true
	}
	return set
}

// shingleIndex finds, among the sets added so far, the first one similar
// enough to a query, via an inverted index from shingle to sets.
type shingleIndex struct {
	sets     []map[string]bool
	postings map[string][]int
	last     float64 // similarity of the last match
}

func newShingleIndex() *shingleIndex { return &shingleIndex{postings: map[string][]int{}} }

func (x *shingleIndex) add(s map[string]bool) {
	for sh := range s {
		x.postings[sh] = append(x.postings[sh], len(x.sets))
	}
	x.sets = append(x.sets, s)
}

// similar returns the most similar set with Jaccard similarity >= min, or -1.
func (x *shingleIndex) similar(s map[string]bool, min float64) int {
	shared := map[int]int{}
	for sh := range s {
		for _, i := range x.postings[sh] {
			shared[i]++
		}
	}
	best, bestSim := -1, 0.0
	for i, n := range shared {
		sim := float64(n) / float64(len(s)+len(x.sets[i])-n)
		if sim >= min && (sim > bestSim || (sim == bestSim && i < best)) {
			best, bestSim = i, sim
		}
	}
	x.last = bestSim
	return best
}
