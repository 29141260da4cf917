package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// wordnetDir holds the WordNet 3.0 database in wordnet-base.
const wordnetDir = "/usr/share/wordnet"

// WordNet parts of speech, with the file suffixes and the names used in
// the corpus. Satellite adjectives (ss_type "s") live in the adj files.
var wordnetPOS = []struct {
	Tag        byte // ss_type in data files: n, v, a, r
	File, Name string
}{
	{'n', "noun", "noun"},
	{'v', "verb", "verb"},
	{'a', "adj", "adjective"},
	{'r', "adv", "adverb"},
}

// A synset is one WordNet sense shared by its words.
type synset struct {
	POS      byte     // n, v, a (also for satellites) or r
	Offset   string   // byte offset in its data file: the synset's id there
	Words    []string // lemmas as written, underscores as spaces
	Def      string   // the gloss without its examples
	Examples []string // the quoted examples of the gloss, without quotes
}

// Key identifies the synset across parts of speech.
func (s *synset) Key() string { return string(s.POS) + s.Offset }

// wordNet is the part of WordNet this program uses.
type wordNet struct {
	Synsets []*synset          // in file order: nouns, verbs, adjectives, adverbs
	byKey   map[string]*synset // by Key
	// senses[lemma][pos] lists the synset offsets of lemma's senses in
	// sense-number order (the index files' order, most frequent first).
	senses map[string]map[byte][]string
	// tags[lemma][pos][sense number] counts the sense's occurrences in
	// WordNet's semantically tagged texts (cntlist.rev).
	tags map[string]map[byte]map[int]int
}

// readWordNet reads the data, index and cntlist.rev files of dir.
//
// Data lines (wndb(5WN)): offset lex_filenum ss_type w_cnt (2 hex digits)
// then w_cnt pairs "word lex_id", pointers and verb frames, then " | " and
// the gloss. Adjective words may carry a syntactic marker "(a)", "(p)" or
// "(ip)", removed here. Lines starting with two spaces are the licence.
// Index lines: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt
// tagsense_cnt and synset_cnt offsets. cntlist.rev lines: sense_key
// sense_number tag_cnt, where the sense key is lemma%ss_type:... with
// ss_type 1-5 for n, v, a, r and satellite adjectives.
func readWordNet(dir string) (*wordNet, error) {
	wn := &wordNet{byKey: map[string]*synset{}, senses: map[string]map[byte][]string{}, tags: map[string]map[byte]map[int]int{}}
	for _, p := range wordnetPOS {
		err := eachLine(filepath.Join(dir, "data."+p.File), func(line string) error {
			s, err := parseSynset(line, p.Tag)
			if err == nil {
				wn.Synsets = append(wn.Synsets, s)
				wn.byKey[s.Key()] = s
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		err = eachLine(filepath.Join(dir, "index."+p.File), func(line string) error {
			f := strings.Fields(line)
			if len(f) < 4 {
				return fmt.Errorf("too few fields")
			}
			n, err := strconv.Atoi(f[2])
			if err != nil || n < 1 || len(f) < 4+n {
				return fmt.Errorf("bad synset count %q", f[2])
			}
			if wn.senses[f[0]] == nil {
				wn.senses[f[0]] = map[byte][]string{}
			}
			wn.senses[f[0]][p.Tag] = f[len(f)-n:]
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	err := eachLine(filepath.Join(dir, "cntlist.rev"), func(line string) error {
		f := strings.Fields(line)
		if len(f) != 3 {
			return fmt.Errorf("want 3 fields")
		}
		lemma, rest, ok := strings.Cut(f[0], "%")
		sense, err1 := strconv.Atoi(f[1])
		count, err2 := strconv.Atoi(f[2])
		if !ok || rest == "" || err1 != nil || err2 != nil {
			return fmt.Errorf("not a sense key, sense number and count")
		}
		pos, ok := senseKeyPOS[rest[0]]
		if !ok {
			return fmt.Errorf("unknown ss_type in sense key %q", f[0])
		}
		if wn.tags[lemma] == nil {
			wn.tags[lemma] = map[byte]map[int]int{}
		}
		if wn.tags[lemma][pos] == nil {
			wn.tags[lemma][pos] = map[int]int{}
		}
		wn.tags[lemma][pos][sense] += count
		return nil
	})
	return wn, err
}

// eachLine calls fn for every line of the file that is not part of the
// licence header (lines starting with two spaces), naming the file and
// line in errors.
func eachLine(path string, fn func(string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "  ") {
			if err := fn(line); err != nil {
				return fmt.Errorf("%s:%d: %v", path, n, err)
			}
		}
	}
	return sc.Err()
}

// senseKeyPOS maps a sense key's ss_type to the part of speech of the
// index file that numbers its senses.
var senseKeyPOS = map[byte]byte{'1': 'n', '2': 'v', '3': 'a', '4': 'r', '5': 'a'}

var adjMarker = regexp.MustCompile(`\((a|p|ip)\)$`)

// parseSynset reads one data line.
func parseSynset(line string, pos byte) (*synset, error) {
	head, gloss, ok := strings.Cut(line, " | ")
	f := strings.Fields(head)
	if !ok || len(f) < 4 {
		return nil, fmt.Errorf("no gloss or too few fields")
	}
	n, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil || n == 0 || len(f) < 4+2*int(n) {
		return nil, fmt.Errorf("bad word count %q", f[3])
	}
	s := &synset{POS: pos, Offset: f[0]}
	for i := range int(n) {
		w := adjMarker.ReplaceAllString(f[4+2*i], "")
		s.Words = append(s.Words, strings.ReplaceAll(w, "_", " "))
	}
	s.Def, s.Examples = splitGloss(gloss)
	return s, nil
}

// splitGloss separates a gloss into its definition and its examples,
// which are double-quoted and follow the definition after "; ". WordNet
// quotes single words `like this'; those become 'like this'.
func splitGloss(gloss string) (def string, examples []string) {
	gloss = clean(strings.ReplaceAll(gloss, "`", "'"))
	i := strings.IndexByte(gloss, '"')
	if i < 0 {
		return strings.TrimRight(gloss, "; "), nil
	}
	def = strings.TrimRight(gloss[:i], "; ")
	for _, ex := range strings.Split(gloss[i:], ";") {
		if ex = strings.Trim(strings.TrimSpace(ex), `"`); ex != "" {
			examples = append(examples, ex)
		}
	}
	return def, examples
}

// bestSense returns the synset of lemma's most tagged sense among the
// parts of speech in order (the earlier part of speech and the lower
// sense number win ties), or nil when lemma has no sense in them.
func (wn *wordNet) bestSense(lemma string, order []byte) *synset {
	var best *synset
	bestCount := -1
	for _, pos := range order {
		for i, off := range wn.senses[lemma][pos] {
			if c := wn.tags[lemma][pos][i+1]; c > bestCount {
				best, bestCount = wn.byKey[string(pos)+off], c
			}
		}
	}
	return best
}

// tagCount returns how often lemma's senses occur in the tagged texts, a
// measure of how common the word is.
func (wn *wordNet) tagCount(lemma string) int {
	n := 0
	for _, senses := range wn.tags[lemma] {
		for _, c := range senses {
			n += c
		}
	}
	return n
}

// common reports whether one of the synset's words occurs in WordNet's
// sense-tagged texts (in any sense).
func (wn *wordNet) common(s *synset) bool {
	for _, w := range s.Words {
		if wn.tags[strings.ReplaceAll(strings.ToLower(w), " ", "_")] != nil {
			return true
		}
	}
	return false
}

// doc renders a synset for the corpus: "lantern (noun): light in a
// transparent protective case." and its examples.
func (s *synset) doc() string {
	name := ""
	for _, p := range wordnetPOS {
		if p.Tag == s.POS {
			name = p.Name
		}
	}
	d := fmt.Sprintf("%s (%s): %s.", strings.Join(s.Words, ", "), name, s.Def)
	switch len(s.Examples) {
	case 0:
	case 1:
		d += ` Example: "` + s.Examples[0] + `".`
	default:
		d += ` Examples: "` + strings.Join(s.Examples, `"; "`) + `".`
	}
	return d
}
