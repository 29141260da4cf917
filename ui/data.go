package main

import (
	"fmt"

	"prefixtune/core/data"
	"prefixtune/core/protocol"
)

// Sample is a dataset bundled with the site, under /datasets/<Name>/ as
// train.jsonl, validation.jsonl and test.jsonl with a README.md.
type Sample struct {
	Name, Title, About string
}

// Samples are the bundled datasets (public/datasets; a test checks that
// each is there).
var Samples = []Sample{
	{"wordnet-definitions", "Dictionary definitions", "Given a word, write its plain definition (WordNet)."},
	{"devil-definitions", "Satirical definitions", "The same words, defined as Ambrose Bierce would (The Devil's Dictionary)."},
	{"fortune-categories", "Quotation topics", "Name the topic of a quotation: computers, food, law, love, politics or science."},
}

// sampleFiles are the files of a sample that the page fetches with itself,
// so that choosing one later needs no network.
type sampleFiles struct{ train, validation, test File }

// Ways to read a row (DataState.Mode).
const (
	ModePair  = "pair"  // a prompt and a completion; loss on the completion
	ModeLabel = "label" // a text and its label: a pair scored as classification
	ModeText  = "text"  // one text; loss on all of it
)

// DataState is the Data step.
type DataState struct {
	samples    map[string]sampleFiles
	SamplesErr string
	Sample     string // the sample in use; "" for the person's own file

	File, ValFile       *File
	Preview, ValPreview *Preview
	TestFile            *File // the test file, if any (else a share of the training file)
	Mode                string
	PromptCol           string
	CompletionCol       string
	TextCol             string
	Template            string // the prompt template (core/data.ParseTemplate)
	TemplateErr         string

	Loaded, ValLoaded, TestLoaded *protocol.DataLoaded
	Stats                         *protocol.DataStats
	Err                           string

	// engineVal is the validation file the engine holds: it keeps it
	// until the page reloads (no request unloads it), so later data
	// without a validation file is validated on it too.
	engineVal *protocol.DataLoaded
}

// SamplesReady reports whether the sample datasets have been fetched.
func (a *App) SamplesReady() bool { return a.Data.samples != nil }

// PrefetchSamples fetches the training and validation files of every
// sample, on a goroutine.
func (a *App) PrefetchSamples() {
	go func() {
		got := map[string]sampleFiles{}
		var err error
		for _, s := range Samples {
			var f sampleFiles
			if f.train, err = a.host.Fetch("/datasets/"+s.Name+"/train.jsonl", s.Name+"-train.jsonl"); err != nil {
				break
			}
			if f.validation, err = a.host.Fetch("/datasets/"+s.Name+"/validation.jsonl", s.Name+"-validation.jsonl"); err != nil {
				break
			}
			if f.test, err = a.host.Fetch("/datasets/"+s.Name+"/test.jsonl", s.Name+"-test.jsonl"); err != nil {
				break
			}
			got[s.Name] = f
		}
		a.env.Lock()
		defer a.env.UnlockRender()
		if err != nil {
			a.Data.SamplesErr = "The sample datasets could not be fetched: " + err.Error()
			return
		}
		a.Data.samples = got
	}()
}

// UseSample reads the sample name and loads it at once.
func (a *App) UseSample(name string) {
	f, ok := a.Data.samples[name]
	if !ok || !a.Idle() {
		return
	}
	d := &a.Data
	d.Sample, d.File, d.ValFile, d.TestFile = name, &f.train, &f.validation, &f.test
	a.readPreviews(true)
}

// PickDataFile takes the person's training file.
func (a *App) PickDataFile(f File) {
	d := &a.Data
	d.Sample, d.File, d.ValFile, d.TestFile, d.ValPreview = "", &f, nil, nil, nil
	a.readPreviews(false)
}

// PickValFile takes the person's validation file (nil: hold out a share of
// the training file instead).
func (a *App) PickValFile(f *File) {
	a.Data.ValFile, a.Data.ValPreview = f, nil
	if f != nil {
		a.readPreviews(false)
	}
}

// readPreviews reads the start of the training and validation files on a
// goroutine, then sets the field mapping; with load, it loads the data.
func (a *App) readPreviews(load bool) {
	d := &a.Data
	d.Err, d.Stats, d.Preview, d.ValPreview = "", nil, nil, nil
	train, val := *d.File, d.ValFile
	a.local("Reading the data")
	go func() {
		p := a.preview(train)
		var vp *Preview
		if val != nil {
			v := a.preview(*val)
			vp = &v
		}
		a.env.Lock()
		defer a.env.UnlockRender()
		a.local("")
		if d.File == nil || d.File.Name != train.Name { // picked another file meanwhile
			return
		}
		d.Preview, d.ValPreview = &p, vp
		d.setMapping()
		if load && p.Err == "" {
			a.LoadData()
		}
	}()
}

func (a *App) preview(f File) Preview {
	text, err := a.host.ReadText(f, previewBytes)
	if err != nil {
		return Preview{Err: fmt.Sprintf("Cannot read %s: %v", f.Name, err)}
	}
	return parsePreview(f.Name, text, f.Size > previewBytes)
}

// setMapping picks the fields the way core/data would: prompt and
// completion, else text, else the first two columns.
func (d *DataState) setMapping() {
	p := d.Preview
	switch {
	case p.Err != "" || len(p.Columns) == 0:
	case p.Format == "text":
		d.Mode, d.TextCol = ModeText, ""
	case p.Has("prompt") && p.Has("completion"):
		d.Mode, d.PromptCol, d.CompletionCol = ModePair, "prompt", "completion"
	case p.Has("text"):
		d.Mode, d.TextCol = ModeText, "text"
	case len(p.Columns) >= 2:
		d.Mode, d.PromptCol, d.CompletionCol = ModePair, p.Columns[0], p.Columns[1]
	default:
		d.Mode, d.TextCol = ModeText, p.Columns[0]
	}
}

// CanLoadData reports whether the data can be loaded, and if not, why.
func (a *App) CanLoadData() (bool, string) {
	d := &a.Data
	switch {
	case d.File == nil:
		return false, "Pick a file or a sample dataset."
	case d.Preview == nil:
		return false, "Reading the file…"
	case d.Preview.Err != "":
		return false, ""
	case d.ValPreview != nil && d.ValPreview.Err != "":
		return false, ""
	case (d.Mode == ModePair || d.Mode == ModeLabel) && (d.PromptCol == "" || d.CompletionCol == "" || d.PromptCol == d.CompletionCol):
		return false, "Choose two different fields for the prompt and the completion."
	case d.TemplateErr != "":
		return false, d.TemplateErr
	case !a.Idle():
		return false, a.BusyLine()
	}
	return true, ""
}

// loadRequest is the LoadData request for the training, validation or
// test file with the chosen mapping and template.
func (d *DataState) loadRequest(f *File, validation, test bool) protocol.LoadData {
	r := protocol.LoadData{Format: formatOf(f.Name), Validation: validation, Test: test, Template: d.Template}
	switch {
	case r.Format == "text":
	case d.Mode == ModePair || d.Mode == ModeLabel:
		r.PromptColumn, r.CompletionColumn = d.PromptCol, d.CompletionCol
	default:
		r.TextColumn = d.TextCol
	}
	return r
}

// SetTemplate sets the prompt template, and loads the data again with it
// when it is loaded.
func (a *App) SetTemplate(text string) {
	d := &a.Data
	d.Template, d.TemplateErr = text, ""
	if _, err := data.ParseTemplate(text); err != nil {
		d.TemplateErr = "The " + err.Error() + "."
		return
	}
	if d.Loaded != nil {
		a.LoadData()
	}
}

// LoadData sends the training file, then the validation and test files if
// there are, then asks for the token statistics.
func (a *App) LoadData() {
	if ok, _ := a.CanLoadData(); !ok {
		return
	}
	d := &a.Data
	d.Err, d.Loaded, d.ValLoaded, d.TestLoaded, d.Stats = "", nil, nil, nil, nil
	a.start("Loading the data", d.loadRequest(d.File, false, false), []File{*d.File}, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.DataLoaded:
			d.Loaded = &e
			a.loadVal()
		case protocol.Error:
			d.Err = errorText(e)
		}
	})
}

// loadVal loads the validation file, or holds a share of the training
// file out, then goes on to the test data.
func (a *App) loadVal() {
	d := &a.Data
	switch {
	case d.ValFile == nil && d.engineVal != nil:
		d.ValLoaded, a.Opts.ValFraction = d.engineVal, 0
	case d.ValFile == nil:
		if a.Opts.ValFraction == 0 {
			a.Opts.ValFraction = 0.1
		}
	default:
		a.Opts.ValFraction = 0
		a.start("Loading the validation data", d.loadRequest(d.ValFile, true, false), []File{*d.ValFile}, func(e protocol.Event) {
			switch e := e.(type) {
			case protocol.DataLoaded:
				d.ValLoaded, d.engineVal = &e, &e
				a.loadTest()
			case protocol.Error:
				d.Err = "Validation file: " + errorText(e)
			}
		})
		return
	}
	a.loadTest()
}

// loadTest loads the test file, or holds a share of the training file out
// for testing, then describes the data.
func (a *App) loadTest() {
	d := &a.Data
	if d.TestFile == nil {
		if a.Opts.TestFraction == 0 {
			a.Opts.TestFraction = 0.1
		}
		a.Describe()
		return
	}
	a.Opts.TestFraction = 0
	a.start("Loading the test data", d.loadRequest(d.TestFile, false, true), []File{*d.TestFile}, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.DataLoaded:
			d.TestLoaded = &e
			a.Describe()
		case protocol.Error:
			d.Err = "Test file: " + errorText(e)
		}
	})
}

// Formatted is the first example of the preview as the model reads it:
// the prompt written into the template, then the completion. ok is false
// when there is none to show.
func (d *DataState) Formatted() (prompt, completion string, ok bool) {
	p := d.Preview
	if p == nil || p.Err != "" || len(p.Rows) == 0 || d.Mode == ModeText || p.Format == "text" {
		return "", "", false
	}
	tpl, err := data.ParseTemplate(d.Template)
	if err != nil {
		return "", "", false
	}
	row := p.Rows[0]
	return tpl.Prompt(row[column(p, d.PromptCol)]), row[column(p, d.CompletionCol)], true
}

// Describe asks for the token statistics of the training data at the
// chosen sequence and prefix lengths.
func (a *App) Describe() {
	d := &a.Data
	if d.Loaded == nil || !a.Idle() {
		return
	}
	seqLen, prefixLen := a.Opts.SeqLen, a.Opts.PrefixLen
	a.start("Counting tokens", protocol.DescribeData{SeqLen: seqLen, PrefixLen: prefixLen}, nil, func(e protocol.Event) {
		if a.Opts.SeqLen != seqLen || a.Opts.PrefixLen != prefixLen { // changed meanwhile
			a.Describe()
			return
		}
		switch e := e.(type) {
		case protocol.DataStats:
			d.Stats = &e
			a.estimate()
		case protocol.Error:
			d.Err = errorText(e)
		}
	})
}

// column is the index of the preview's column name (0 if it has none).
func column(p *Preview, name string) int {
	for i, c := range p.Columns {
		if c == name {
			return i
		}
	}
	return 0
}
