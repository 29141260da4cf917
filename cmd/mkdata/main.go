package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

const usage = `usage: mkdata [-build DIR] [-datasets DIR] command

Commands:
  fetch     download the pinned Debian packages (apt-get download) into
            DIR/debs and unpack them into DIR/pkgs
  corpus    fetch, then write the pretraining corpus to DIR/corpus
            (corpus.txt, parts/*.txt, SOURCES.md) and print its size
  datasets  fetch, then write the sample datasets and SOURCES.md into the
            datasets directory (each README keeps its Results section)
  results NAME REPORT COMMANDS
            replace the Results section of dataset NAME's README with a
            report of prefixtune eval --report and the commands that made it

Flags:
`

func main() {
	build := flag.String("build", "build", "directory for the packages and the corpus (not committed)")
	out := flag.String("datasets", "public/datasets", "directory of the committed sample datasets")
	flag.Usage = func() {
		fmt.Fprint(os.Stderr, usage)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.Arg(0) == "results" && flag.NArg() == 4 {
		if err := recordResults(*out, flag.Arg(1), flag.Arg(2), flag.Arg(3)); err != nil {
			fmt.Fprintln(os.Stderr, "mkdata:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *build, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkdata:", err)
		os.Exit(1)
	}
}

func run(command, build, out string) error {
	switch command {
	case "fetch", "corpus", "datasets":
	default:
		return fmt.Errorf("unknown command %q (use fetch, corpus or datasets)", command)
	}
	fetched, err := fetch(build)
	if err != nil || command == "fetch" {
		return err
	}
	src, err := load(fetched)
	if err != nil {
		return err
	}
	s := makeSets(src.WordNet, src.Devil, src.Fortunes)
	parts := makeCorpus(src, s)
	if command == "corpus" {
		dir := filepath.Join(build, "corpus")
		if err := writeCorpus(dir, parts); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "SOURCES.md"), []byte(sourcesMarkdown(src, parts, s)), 0o644); err != nil {
			return err
		}
		fmt.Printf("wrote %s\n", filepath.Join(dir, "corpus.txt"))
		return printCounts(os.Stdout, parts)
	}
	files, err := datasetFiles(src, s, parts, out)
	if err != nil {
		return err
	}
	if err := writeFiles(out, files); err != nil {
		return err
	}
	for _, d := range []dataset{s.WordNet, s.Devil, s.Quotes} {
		fmt.Println(d)
	}
	fmt.Printf("%d words are in both definition datasets; wrote %d files under %s\n", len(s.Shared), len(files), out)
	return nil
}

// datasetFiles returns every committed file of the datasets directory
// by its slash-separated path inside it. The Results sections of the
// READMEs already in dir are kept.
func datasetFiles(src *sources, s sets, parts []part, dir string) (map[string][]byte, error) {
	files := map[string][]byte{"SOURCES.md": []byte(sourcesMarkdown(src, parts, s))}
	old := map[string]string{}
	for _, d := range []dataset{s.WordNet, s.Devil, s.Quotes} {
		b, err := os.ReadFile(filepath.Join(dir, d.Name, "README.md"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		old[d.Name] = string(b)
		for _, split := range splitNames {
			var buf bytes.Buffer
			for _, r := range d.Splits[split] {
				buf.WriteString(jsonLine(r))
			}
			if buf.Len() == 0 {
				return nil, fmt.Errorf("dataset %s has no %s rows", d.Name, split)
			}
			files[d.Name+"/"+split+".jsonl"] = buf.Bytes()
		}
	}
	for name, text := range readmes(src, s, old) {
		files[name+"/README.md"] = []byte(text)
	}
	return files, nil
}

// jsonLine encodes a row as one JSON object and a newline, without
// escaping <, > and &.
func jsonLine(r row) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Prompt     string `json:"prompt"`
		Completion string `json:"completion"`
	}{r.Prompt, r.Completion}) // strings always encode
	return buf.String()
}

// writeFiles writes files under dir, creating directories.
func writeFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
