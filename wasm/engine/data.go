//go:build js && wasm

package main

import (
	"bytes"
	"strconv"
	"strings"
	"syscall/js"

	"prefixtune/core/data"
	"prefixtune/core/protocol"
	"prefixtune/core/tune"
)

// dataSet is a data file as read: its bytes are kept so that a run's
// checkpoint can carry its data (the page may be reloaded before resuming).
type dataSet struct {
	src dataSource
	raw []byte
	exs []data.Example
}

// dataSource is how a data file was read; it is saved with checkpoints.
type dataSource struct {
	Name     string       `json:"name"`
	Format   data.Format  `json:"format"`
	Opts     data.Options `json:"options"`
	Template string       `json:"template,omitempty"` // the prompt template, as LoadData has it
}

// parseData reads raw as src says and writes the prompts into its
// template.
func parseData(src dataSource, raw []byte) (*dataSet, error) {
	tpl, err := data.ParseTemplate(src.Template)
	if err != nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "the prompt %v", err)
	}
	exs, err := data.Parse(bytes.NewReader(raw), src.Format, src.Opts)
	if err != nil {
		return nil, fail(protocol.CodeBadData, err, "")
	}
	return &dataSet{src: src, raw: raw, exs: tpl.Apply(exs)}, nil
}

// completions counts the distinct completions of exs and says whether
// every one is a number.
func completions(exs []data.Example) (distinct int, numeric bool) {
	seen := map[string]bool{}
	numeric = len(exs) > 0
	for _, ex := range exs {
		c := strings.TrimSpace(ex.Completion)
		seen[c] = true
		if _, err := strconv.ParseFloat(c, 64); err != nil {
			numeric = false
		}
	}
	return len(seen), numeric
}

func (e *engine) loadData(j *job, r protocol.LoadData) (protocol.Event, error) {
	f, err := j.file(r.File)
	if err != nil {
		return nil, err
	}
	name := "data" // a Blob has no name
	if n := f.Get("name"); n.Type() == js.TypeString {
		name = n.String()
	}
	format := data.Format(r.Format)
	switch format {
	case "":
		if format, err = data.FormatOf(name); err != nil {
			return nil, fail(protocol.CodeBadData, err, "")
		}
	case data.JSONL, data.CSV, data.Text:
	default:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "unknown data format %q: use jsonl, csv or text", r.Format)
	}
	raw, err := blobBytes(f)
	if err != nil {
		return nil, fail(protocol.CodeBadData, err, "reading "+name)
	}
	src := dataSource{Name: name, Format: format, Opts: data.Options{Name: name,
		PromptColumn: r.PromptColumn, CompletionColumn: r.CompletionColumn, TextColumn: r.TextColumn}, Template: r.Template}
	ds, err := parseData(src, raw)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Validation && r.Test:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "a file is either the validation or the test data, not both")
	case r.Validation:
		e.val = ds
	case r.Test:
		e.test = ds
	default:
		e.train, e.test = ds, nil // a test file belongs to the training data it was held out of
	}
	distinct, numeric := completions(ds.exs)
	return protocol.DataLoaded{Name: name, Format: string(format), Examples: len(ds.exs), Bytes: int64(len(raw)), Validation: r.Validation,
		Test: r.Test, Completions: distinct, Numeric: numeric}, nil
}

// dataFor returns the loaded training or validation file, or an error that
// says to load it.
func (e *engine) dataFor(validation bool) (*dataSet, error) {
	ds, what := e.train, "training"
	if validation {
		ds, what = e.val, "validation"
	}
	if ds == nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "no %s data is loaded: load a data file first", what)
	}
	return ds, nil
}

func (e *engine) describeData(r protocol.DescribeData) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	ds, err := e.dataFor(r.Validation)
	if err != nil {
		return nil, err
	}
	T, err := tune.SeqLen(e.model.m.Config, r.SeqLen, r.PrefixLen)
	if err != nil {
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	s := tune.Describe(ds.exs, e.model.tok, T)
	out := protocol.DataStats{Examples: s.Examples, SeqLen: s.SeqLen, Tokens: s.Tokens, TargetTokens: s.TargetTokens,
		MinLen: s.MinLen, MaxLen: s.MaxLen, MeanLen: s.MeanLen, Truncated: s.Truncated, NoTargets: s.NoTargets}
	for _, b := range s.Histogram {
		out.Histogram = append(out.Histogram, protocol.Bin{Upto: b.Upto, Count: b.Count})
	}
	return out, nil
}
