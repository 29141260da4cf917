// Command mkdata makes Prefixtune's demo data from Debian packages: the
// plain-text corpus that pretrains the demo model, and the sample datasets
// under public/datasets that the app ships so it works offline.
//
//	go run ./cmd/mkdata corpus    # build/corpus/corpus.txt, parts/*.txt, SOURCES.md
//	go run ./cmd/mkdata datasets  # public/datasets/*/{train,validation,test}.jsonl, README.md; SOURCES.md
//
// Both commands first fetch the pinned packages (fetch.go) with
// `apt-get download` into build/debs, which is not committed, and unpack
// them with `dpkg-deb -x` into build/pkgs. Outputs depend only on those
// packages: every choice is made by a fixed hash (split.go), never by
// map order, the clock or math/rand.
//
// # Layout
//
//   - fetch.go: the pinned packages, download and extraction, copyright files.
//   - sources.go: the licence of each package (checked against its
//     copyright file), loading every source, SOURCES.md.
//   - One reader per format: kjv.go with lzw.go (bible.data: segments
//     compressed with Unix compress), dictd.go and dicts.go (dictd
//     databases: The Devil's Dictionary, the Jargon File), wordnet.go
//     (WordNet's data, index and cntlist.rev files), fortune.go.
//   - text.go: cleaning shared by all sources.
//   - datasets.go and split.go: the three datasets and their splits;
//     readme.go: their READMEs; corpus.go: the corpus.
//
// # Outputs
//
// A corpus document is one chapter, entry, synset or quotation; its
// paragraphs are on consecutive lines and documents are separated by one
// blank line, so data.Read reads one example per document. The corpus
// leaves out the validation and test rows of every dataset.
//
// A dataset row is {"prompt", "completion"} JSON, the completion starting
// with a space. The definition datasets share the prompt "word: W\ndefinition:"
// and are split by headword with one rule, so a word is in the same split
// in both; the quotation dataset is split by normalised text within each
// label. A README's Results section (written by `make dataset-results`) is
// kept when the README is regenerated.
//
// The tests check the committed datasets (they parse with core/data,
// splits are disjoint, README counts match). TestDatasetsReproduce, run by
// `make datasets-check` with -build, regenerates them from the packages
// and compares byte for byte.
package main
