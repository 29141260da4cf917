package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"  two\tspaces  and\nlines ":          "two spaces and lines",
		"\u201cquoted\u201d \u2014 it\u2019s": `"quoted" -- it's`,
		"over\bstrike\x1b[0m":                 "overstrike[0m",
		"":                                    "",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	got := paragraphs("one\nline\n\n  \n\ttwo\n")
	if want := []string{"one line", "two"}; !reflect.DeepEqual(got, want) {
		t.Errorf("paragraphs = %q, want %q", got, want)
	}
	if got := unbrace("see {\n    ADVENT} and {foo bar}"); got != "see ADVENT and foo bar" {
		t.Errorf("unbrace = %q", got)
	}
}

func TestBase64Number(t *testing.T) {
	for s, want := range map[string]int{"A": 0, "b": 27, "BA": 64, "/9": 63*64 + 61} {
		if got, err := base64Number(s); err != nil || got != want {
			t.Errorf("base64Number(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "a-b", "AAAAAAA"} {
		if _, err := base64Number(s); err == nil {
			t.Errorf("base64Number(%q) succeeded", s)
		}
	}
}

func TestReadDevil(t *testing.T) {
	entries := []dictEntry{
		{"academy", "ACADEMY, n.  [from {ACADEME}]   A modern school where\nfootball is taught.\n\n    Some _verse_ here\n    and more.\n"},
		{"abracadabra", "ABRACADABRA.\n\n    By _Abracadabra_ we signify\n"},
		{"laurel", "LAUREATE, adj.  Crowned with leaves.\n"},
		{"laureate", "LAUREATE, adj.  Crowned with leaves.\n"},
		{"inferiae", "INFERIAE,n.  [Latin]  Sacrifices.\n"},
	}
	got := readDevil(entries)
	want := []bierce{
		{"academy", "n", "A modern school where football is taught.", "ACADEMY, n. [from ACADEME] A modern school where football is taught.\nSome verse here and more."},
		{"", "", "", "ABRACADABRA.\nBy Abracadabra we signify"},
		{"", "", "", "LAUREATE, adj. Crowned with leaves."}, // indexed as laurel: no definition row
		{"inferiae", "n", "Sacrifices.", "INFERIAE,n. [Latin] Sacrifices."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readDevil =\n%q\nwant\n%q", got, want)
	}
}

func TestReadJargon(t *testing.T) {
	got := readJargon([]dictEntry{
		{"zork", "Zork\n /zork/, n.\n\n    The second of the great early experiments; see {\n    ADVENT}.\n\n    2. More.\n\n    ┌─┬──┐\n    │!│bang│\n"},
		{"empty", "empty\n n.\n"},
	})
	want := []string{"Zork: The second of the great early experiments; see ADVENT.\n2. More."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readJargon = %q, want %q", got, want)
	}
}

func TestKJVChapters(t *testing.T) {
	text := "Holy Bible, Authorized (King James) Version.  Textfile 930105.\nGe1:1 In the beginning.\nGe1:2 And the earth.\nGe2:1 Thus the heavens.\n1Jn1:1 That which was.\n"
	got, err := kjvChapters(text)
	want := []string{"In the beginning. And the earth.", "Thus the heavens.", "That which was."}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("kjvChapters = %q, %v; want %q", got, err, want)
	}
	if _, err := kjvChapters("Holy Bible\nno reference here\n"); err == nil {
		t.Error("a line without a verse reference was accepted")
	}
}

func TestParseFortune(t *testing.T) {
	f, ok := parseFortune("love", "Absence in love is like water upon fire; a little quickens,\nbut much extinguishes it.\n\t\t-- Hannah More\n")
	if !ok || f.Text != "Absence in love is like water upon fire; a little quickens, but much extinguishes it." || f.Doc != f.Text+"\n-- Hannah More" {
		t.Errorf("parseFortune = %+v, %v", f, ok)
	}
	f, ok = parseFortune("startrek", "Spock: Fascinating.\n\t\t-- Kirk and Spock,\n\t\t   \"The Menagerie\", stardate 3012.4\n")
	if !ok || f.Text != "Spock: Fascinating." || !strings.HasSuffix(f.Doc, `-- Kirk and Spock, "The Menagerie", stardate 3012.4`) {
		t.Errorf("parseFortune with a wrapped attribution = %+v, %v", f, ok)
	}
	f, ok = parseFortune("love", "Mail your answer to:\n\n\tP.O. Box 35\n\tBaffled Greek, Michigan\n")
	if !ok || f.Text != "Mail your answer to: P.O. Box 35 Baffled Greek, Michigan" {
		t.Errorf("parseFortune with indented last lines = %+v, %v", f, ok)
	}
	for _, raw := range []string{"_\bu_\bn_\bd_\be_\br\n", "They donÃ¢\u0080\u0099t write.\n", "A fine of Â£5.\n", "  /\\_/\\\n ( o.o )\n  > ^ <\n"} {
		if f, ok := parseFortune("x", raw); ok {
			t.Errorf("parseFortune(%q) kept %+v", raw, f)
		}
	}
}

func TestSplitGloss(t *testing.T) {
	def, ex := splitGloss("(usually followed by `to') having the means; \"able to swim\"; \"she was able\"  ")
	if def != "(usually followed by 'to') having the means" || !reflect.DeepEqual(ex, []string{"able to swim", "she was able"}) {
		t.Errorf("splitGloss = %q, %q", def, ex)
	}
}

func TestParseSynset(t *testing.T) {
	s, err := parseSynset(`00020103 00 s 02 outback(a) 0 remote 0 003 & 00019874 a 0000 + 05085165 n 0202 | inaccessible and sparsely populated; "an outback town"  `, 'a')
	if err != nil || !reflect.DeepEqual(s.Words, []string{"outback", "remote"}) || s.Def != "inaccessible and sparsely populated" {
		t.Fatalf("parseSynset = %+v, %v", s, err)
	}
	if got := s.doc(); got != `outback, remote (adjective): inaccessible and sparsely populated. Example: "an outback town".` {
		t.Errorf("doc = %q", got)
	}
	if _, err := parseSynset("00020103 00 s zz outback 0 | gloss", 'a'); err == nil {
		t.Error("a bad word count was accepted")
	}
}

func TestBestSense(t *testing.T) {
	a := &synset{POS: 'n', Offset: "1", Def: "noun sense 1"}
	b := &synset{POS: 'n', Offset: "2", Def: "noun sense 2"}
	c := &synset{POS: 'v', Offset: "3", Def: "verb sense 1"}
	wn := &wordNet{
		byKey:  map[string]*synset{"n1": a, "n2": b, "v3": c},
		senses: map[string]map[byte][]string{"run": {'n': {"1", "2"}, 'v': {"3"}}},
		tags:   map[string]map[byte]map[int]int{"run": {'n': {2: 5}, 'v': {1: 9}}},
	}
	for _, c := range []struct {
		order []byte
		want  *synset
	}{{allPOS, c}, {[]byte{'n'}, b}, {[]byte{'a'}, nil}} {
		if got := wn.bestSense("run", c.order); got != c.want {
			t.Errorf("bestSense(%q) = %+v, want %+v", c.order, got, c.want)
		}
	}
	if wn.tagCount("run") != 14 || wn.bestSense("walk", allPOS) != nil {
		t.Error("tagCount or an unknown word is wrong")
	}
}

func TestSplits(t *testing.T) {
	// The split of a key must not change unless hashSeed does: the
	// committed datasets depend on it.
	for key, want := range map[string]string{"lantern": "train", "x": "test", "y": "validation", "z": "train"} {
		if got := splitOf(key); got != want {
			t.Errorf("splitOf(%q) = %s, want %s", key, got, want)
		}
	}
	counts := map[string]int{}
	for i := range 10000 {
		counts[splitOf(strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i/26))]++
	}
	if counts["train"] < 7600 || counts["validation"] < 800 || counts["test"] < 800 {
		t.Errorf("split sizes %v are far from 80/10/10", counts)
	}
	if quoteKey(`"Don't  PANIC!"`) != "don t panic" {
		t.Errorf("quoteKey = %q", quoteKey(`"Don't  PANIC!"`))
	}
}

func TestMakeCorpus(t *testing.T) {
	kept := &synset{POS: 'n', Offset: "1", Words: []string{"lantern"}, Def: "light in a case"}
	held := &synset{POS: 'n', Offset: "2", Words: []string{"lamp"}, Def: "a source of light"}
	rare := &synset{POS: 'n', Offset: "3", Words: []string{"Genus Octopus"}, Def: "type genus"}
	src := &sources{
		Devil:    []bierce{{Word: "abasement", Doc: "ABASEMENT, n. A decent attitude."}, {Word: "abatis", Doc: "ABATIS, n. Rubbish."}},
		Jargon:   []string{"zork: A game.", "ABASEMENT, n. A decent attitude.", "rubbishy: Not quite."},
		Fortunes: []fortune{{Text: "Love is blind.", Doc: "QOTD: Love is blind.\n-- Anon"}, {Text: "Eat well.", Doc: "Eat well."}},
		WordNet: &wordNet{
			Synsets: []*synset{kept, held, rare},
			tags:    map[string]map[byte]map[int]int{"lantern": {'n': {1: 1}}, "lamp": {'n': {1: 3}}},
		},
		KJV: []string{"In the beginning."},
	}
	s := sets{
		HeldSynsets: map[string]bool{held.Key(): true},
		HeldTexts:   map[string]bool{quoteKey("Rubbish."): true, quoteKey("LOVE is blind!"): true},
	}
	got := map[string][]string{}
	for _, p := range makeCorpus(src, s) {
		got[p.Name] = p.Docs
	}
	want := map[string][]string{
		"devil":    {"ABASEMENT, n. A decent attitude."},
		"jargon":   {"zork: A game.", "rubbishy: Not quite."}, // the copy of a Devil entry is dropped
		"fortunes": {"Eat well."},
		"wordnet":  {"lantern (noun): light in a case."},
		"kjv":      {"In the beginning."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("makeCorpus =\n%q\nwant\n%q", got, want)
	}
}
