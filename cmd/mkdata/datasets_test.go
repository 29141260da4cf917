package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"prefixtune/core/data"
)

// committed is the datasets directory, seen from this package.
const committed = "../../public/datasets"

// buildDir enables TestDatasetsReproduce: the directory holding debs/
// (make datasets-check passes it after `mkdata fetch`).
var buildDir = flag.String("build", "", "build directory with the Debian packages in debs/ (enables TestDatasetsReproduce)")

// The committed datasets, with the key that groups each one's rows.
var committedSets = []struct {
	name string
	key  func(t *testing.T, ex data.Example) string
}{
	{"wordnet-definitions", headwordKey},
	{"devil-definitions", headwordKey},
	{"fortune-categories", quoteRowKey},
}

var definitionRow = regexp.MustCompile(`^word: (.+)\ndefinition:$`)

func headwordKey(t *testing.T, ex data.Example) string {
	m := definitionRow.FindStringSubmatch(ex.Prompt)
	if m == nil {
		t.Fatalf("prompt %q is not \"word: X\\ndefinition:\"", ex.Prompt)
	}
	return m[1]
}

var quoteRow = regexp.MustCompile(`^Quote: (.+)\nCategory:$`)

func quoteRowKey(t *testing.T, ex data.Example) string {
	m := quoteRow.FindStringSubmatch(ex.Prompt)
	if m == nil {
		t.Fatalf("prompt %q is not \"Quote: ...\\nCategory:\"", ex.Prompt)
	}
	if wordCount(m[1]) > maxWords {
		t.Errorf("quotation of %d words (at most %d): %q", wordCount(m[1]), maxWords, m[1])
	}
	return quoteKey(m[1])
}

// readSplits reads a committed dataset with the project's data reader.
func readSplits(t *testing.T, name string) map[string][]data.Example {
	t.Helper()
	splits := map[string][]data.Example{}
	for _, s := range splitNames {
		path := filepath.Join(committed, name, s+".jsonl")
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() >= 1<<20 {
			t.Errorf("%s is %d bytes; keep browser datasets under 1 MiB", path, st.Size())
		}
		exs, err := data.Read(path, data.Options{})
		if err != nil {
			t.Fatalf("data.Read: %v", err)
		}
		splits[s] = exs
	}
	return splits
}

// readmeCounts reads the split table of a README: | train | train.jsonl | N |.
func readmeCounts(t *testing.T, readme string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^\| (\w+) \| (\w+)\.jsonl \| (\d+) \|$`).FindAllStringSubmatch(readme, -1) {
		if m[1] != m[2] {
			t.Errorf("README row for split %s names file %s.jsonl", m[1], m[2])
		}
		counts[m[1]], _ = strconv.Atoi(m[3])
	}
	return counts
}

func TestCommittedDatasets(t *testing.T) {
	if _, err := os.Stat(filepath.Join(committed, "SOURCES.md")); err != nil {
		t.Error(err)
	}
	splitOfKey := map[string]map[string]string{} // dataset -> key -> split
	for _, set := range committedSets {
		t.Run(set.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(committed, set.name, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			readme := string(b)
			for _, h := range []string{"## Source", "## Licence", "## Suggested settings", "\n" + resultsHeading + "\n"} {
				if !strings.Contains(readme, h) {
					t.Errorf("README has no %q section", strings.TrimSpace(h))
				}
			}
			counts := readmeCounts(t, readme)
			splits := readSplits(t, set.name)
			keys := map[string]string{}
			for _, s := range splitNames {
				if counts[s] != len(splits[s]) || counts[s] == 0 {
					t.Errorf("%s: README says %d rows, the file has %d", s, counts[s], len(splits[s]))
				}
				for _, ex := range splits[s] {
					if n := wordCount(ex.Completion); n > maxWords || n == 0 || !strings.HasPrefix(ex.Completion, " ") {
						t.Errorf("%s: completion of %d words, or without a leading space: %q", s, n, ex.Completion)
					}
					k := set.key(t, ex)
					if other, ok := keys[k]; ok && other != s {
						t.Errorf("key %q is in both %s and %s", k, other, s)
					}
					keys[k] = s
				}
			}
			splitOfKey[set.name] = keys
		})
	}
	t.Run("shared words", func(t *testing.T) {
		wn, devil := splitOfKey["wordnet-definitions"], splitOfKey["devil-definitions"]
		shared := map[string]int{}
		for w, s := range devil {
			if ws, ok := wn[w]; ok {
				if ws != s {
					t.Errorf("%q is in %s of wordnet-definitions but %s of devil-definitions", w, ws, s)
				}
				shared[s]++
			}
		}
		for _, name := range []string{"wordnet-definitions", "devil-definitions"} {
			b, err := os.ReadFile(filepath.Join(committed, name, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range splitNames {
				if !strings.Contains(string(b), "\n"+s+" ("+strconv.Itoa(shared[s])+"): ") {
					t.Errorf("%s README does not list the %d shared %s words", name, shared[s], s)
				}
			}
		}
	})
	t.Run("labels", func(t *testing.T) {
		splits := readSplits(t, "fortune-categories")
		for _, s := range splitNames {
			per := map[string]int{}
			for _, ex := range splits[s] {
				label := strings.TrimSpace(ex.Completion)
				if !slices.Contains(quoteCategories, label) {
					t.Fatalf("%s: label %q is not one of %v", s, label, quoteCategories)
				}
				per[label]++
			}
			for _, c := range quoteCategories {
				if per[c] != per[quoteCategories[0]] {
					t.Errorf("%s is not balanced: %v", s, per)
				}
			}
		}
	})
}

// TestDatasetsReproduce regenerates the datasets from the pinned Debian
// packages and compares them with the committed files. It needs the .deb
// files, so it runs only when -build is given (make datasets-check).
func TestDatasetsReproduce(t *testing.T) {
	if *buildDir == "" {
		t.Skip("needs the Debian packages: run `make datasets-check`")
	}
	var debs []string
	for _, p := range packages {
		path, err := findDeb(filepath.Join(*buildDir, "debs"), p)
		if err != nil {
			t.Fatal(err)
		}
		if path == "" {
			t.Fatalf("%s %s is not in %s/debs: run `go run ./cmd/mkdata fetch` first", p.Name, p.Version, *buildDir)
		}
		debs = append(debs, path)
	}
	fetched, err := extract(t.TempDir(), debs)
	if err != nil {
		t.Fatal(err)
	}
	src, err := load(fetched)
	if err != nil {
		t.Fatal(err)
	}
	s := makeSets(src.WordNet, src.Devil, src.Fortunes)
	parts := makeCorpus(src, s)
	checkHeldOut(t, parts, s)
	files, err := datasetFiles(src, s, parts, committed)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(committed, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%v (run `make datasets` and commit the result)", err)
			continue
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from what the packages give (first difference at byte %d): run `make datasets` and commit the result", name, firstDiff(got, want))
		}
	}
	err = filepath.WalkDir(committed, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(committed, path)
		if files[filepath.ToSlash(rel)] == nil {
			t.Errorf("%s is committed but not made by mkdata", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkHeldOut checks that no corpus document contains a validation or
// test definition of Bierce, or a validation or test quotation, even with
// other punctuation or case.
func checkHeldOut(t *testing.T, parts []part, s sets) {
	var held []string
	for _, split := range splitNames[1:] {
		for _, r := range s.Devil.Splits[split] {
			held = append(held, quoteKey(r.Completion))
		}
		for _, r := range s.Quotes.Splits[split] {
			held = append(held, quoteKey(strings.TrimSuffix(strings.TrimPrefix(r.Prompt, "Quote: "), "\nCategory:")))
		}
	}
	if len(held) < 100 {
		t.Fatalf("only %d held-out texts to check", len(held))
	}
	for _, p := range parts {
		for _, d := range p.Docs {
			key := " " + quoteKey(d) + " "
			for _, h := range held {
				if strings.Contains(key, " "+h+" ") {
					t.Errorf("%s document %q holds the held-out text %q", p.Name, d, h)
				}
			}
		}
	}
}
