package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"prefixtune/core/data"
)

// nearDup is the word-trigram Jaccard similarity at which two rows count as
// near duplicates, in cleaning and in the leakage check.
const nearDup = 0.9

// dataFlags say how a command reads its data files (all of them: --data,
// --val, --train): which CSV columns (or JSONL keys) hold the prompts,
// completions or texts, and optionally a template every prompt is written
// into.
type dataFlags struct {
	opts     data.Options
	template string
}

// addDataFlags registers --prompt-column, --completion-column and
// --text-column on fs, and --template when template is true.
func addDataFlags(fs *flag.FlagSet, template bool) *dataFlags {
	d := &dataFlags{}
	fs.StringVar(&d.opts.PromptColumn, "prompt-column", "", "CSV column (or JSONL key) `NAME` of the prompts in every data file read (default \"prompt\")")
	fs.StringVar(&d.opts.CompletionColumn, "completion-column", "", "CSV column (or JSONL key) `NAME` of the completions (default \"completion\")")
	fs.StringVar(&d.opts.TextColumn, "text-column", "", "CSV column (or JSONL key) `NAME` of plain texts, trained on whole (default \"text\")")
	if template {
		addTemplateFlag(fs, &d.template)
	}
	return d
}

// addTemplateFlag registers --template, the same for train, eval and
// generate.
func addTemplateFlag(fs *flag.FlagSet, dst *string) {
	fs.StringVar(dst, "template", "", "write every prompt as `TEXT`, where {prompt} is the prompt and \\n a newline (e.g. \"{prompt}\\n\"); use the same in train, eval and generate")
}

// readRaw reads the examples of a data file with the column flags.
func (d *dataFlags) readRaw(path string) ([]data.Example, error) {
	if path == "" {
		return nil, fmt.Errorf("--data is required: a .jsonl, .csv or .txt file")
	}
	return data.Read(path, d.opts)
}

// read reads the examples of a data file with the column flags and writes
// their prompts into the template.
func (d *dataFlags) read(path string) ([]data.Example, error) {
	exs, err := d.readRaw(path)
	if err != nil {
		return nil, err
	}
	return d.format(exs)
}

// format writes the prompts of exs into the template (a copy; exs is kept).
func (d *dataFlags) format(exs []data.Example) ([]data.Example, error) {
	tpl, err := d.parseTemplate()
	if err != nil {
		return nil, err
	}
	return tpl.Apply(exs), nil
}

// parseTemplate reads --template.
func (d *dataFlags) parseTemplate() (data.Template, error) {
	tpl, err := data.ParseTemplate(d.template)
	if err != nil {
		return data.Template{}, fmt.Errorf("--%w", err)
	}
	return tpl, nil
}

// overhead is the number of tokens the template adds to a prompt, about.
func (d *dataFlags) overhead(enc data.Encoder) int {
	tpl, err := d.parseTemplate()
	if err != nil {
		return 0
	}
	return tpl.Overhead(enc)
}

// writeJSONL writes exs to a new .jsonl file: {"prompt", "completion"} per
// pair, {"text"} per example without a prompt.
func writeJSONL(path string, exs []data.Example) error {
	if f, err := data.FormatOf(path); err != nil || f != data.JSONL {
		return fmt.Errorf("%s: write the examples to a .jsonl file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, ex := range exs {
		var row any = struct {
			Prompt     string `json:"prompt"`
			Completion string `json:"completion"`
		}{ex.Prompt, ex.Completion}
		if ex.Prompt == "" {
			row = struct {
				Text string `json:"text"`
			}{ex.Completion}
		}
		if err := enc.Encode(row); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cleanText renders what data.Clean did on one line.
func cleanText(r data.CleanReport) string {
	total := r.Empty + r.TooLong + r.Exact + r.Near + r.Kept
	return fmt.Sprintf("kept %d of %d rows: dropped %d empty, %d too long, %d exact and %d near duplicates; trimmed %d",
		r.Kept, total, r.Empty, r.TooLong, r.Exact, r.Near, r.Trimmed)
}

// warnLeaks writes one warning line to w when rows of test (the file
// testName) also appear, exactly or nearly, in train (trainName). Rows are
// counted from 1, as data rows (no header).
func warnLeaks(w io.Writer, testName, trainName string, train, test []data.Example) {
	leaks := data.Leakage(train, test, nearDup)
	if len(leaks) == 0 {
		return
	}
	exact := 0
	var first []string
	for i, l := range leaks {
		if l.Similarity == 1 {
			exact++
		}
		if i < 5 {
			first = append(first, fmt.Sprintf("%d (as its row %d)", l.Test+1, l.Train+1))
		}
	}
	more := ""
	if len(leaks) > len(first) {
		more = fmt.Sprintf(" and %d more", len(leaks)-len(first))
	}
	fmt.Fprintf(w, "warning: %d of %d rows of %s also appear in %s (%d exact, %d near duplicates at similarity %.2g or more): rows %s%s; scores on them reward memory, so remove them from one of the files\n",
		len(leaks), len(test), testName, trainName, exact, len(leaks)-exact, nearDup, strings.Join(first, ", "), more)
}
