package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// previewBytes is how much of a data file the page reads for its preview.
const previewBytes = 64 << 10

// previewRows is how many rows the preview shows.
const previewRows = 5

// Preview is the first rows of a data file, as the page shows them for the
// field mapping. The engine reads the whole file itself.
type Preview struct {
	Format  string     // "jsonl", "csv" or "text"
	Columns []string   // field names, in order of first appearance
	Rows    [][]string // cells by column; "" where a row lacks one
	Err     string     // why the file cannot be used
}

// formatOf is the data format a file name's extension stands for, as
// core/data reads it, or "".
func formatOf(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".jsonl", ".json", ".ndjson":
		return "jsonl"
	case ".csv":
		return "csv"
	case ".txt", ".text":
		return "text"
	}
	return ""
}

// parsePreview reads the first rows of text, the start of the file name
// (all of it unless cut, in which case its last line may be partial).
func parsePreview(name, text string, cut bool) Preview {
	p := Preview{Format: formatOf(name)}
	if cut { // drop the partial last line
		if i := strings.LastIndexByte(text, '\n'); i >= 0 {
			text = text[:i+1]
		}
	}
	text = strings.TrimPrefix(text, "\ufeff")
	switch p.Format {
	case "jsonl":
		p.jsonl(text)
	case "csv":
		p.csv(text)
	case "text":
		p.Columns = []string{"text"}
		for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
			if para = strings.TrimSpace(para); para != "" && len(p.Rows) < previewRows {
				p.Rows = append(p.Rows, []string{para})
			}
		}
	default:
		p.Err = fmt.Sprintf("%s: unknown file type %q. Use JSON Lines (.jsonl), CSV with a header row (.csv) or plain text (.txt).", name, path.Ext(name))
		return p
	}
	if p.Err == "" && len(p.Rows) == 0 {
		p.Err = name + " has no rows at its start. Is it empty?"
	}
	return p
}

func (p *Preview) jsonl(text string) {
	col := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if len(p.Rows) == previewRows {
			break
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			p.Err = fmt.Sprintf("Line %d is not a JSON object (%v). A JSON Lines file has one object a line, such as {\"prompt\": \"…\", \"completion\": \"…\"}.", i+1, err)
			return
		}
		row := make([]string, len(p.Columns))
		for _, k := range orderedKeys(line, obj) {
			j, ok := col[k]
			if !ok {
				j = len(p.Columns)
				col[k] = j
				p.Columns = append(p.Columns, k)
				row = append(row, "")
			}
			row[j] = cell(obj[k])
		}
		p.Rows = append(p.Rows, row)
	}
	for i := range p.Rows { // rows before a new column appeared
		for len(p.Rows[i]) < len(p.Columns) {
			p.Rows[i] = append(p.Rows[i], "")
		}
	}
}

// orderedKeys returns the keys of obj in the order they appear in line.
func orderedKeys(line string, obj map[string]json.RawMessage) []string {
	d := json.NewDecoder(strings.NewReader(line))
	d.Token() // {
	var keys []string
	for d.More() {
		t, err := d.Token()
		if err != nil {
			break
		}
		k, _ := t.(string)
		if _, ok := obj[k]; ok {
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if d.Decode(&skip) != nil {
			break
		}
	}
	return keys
}

// cell is a JSON value as the preview shows it: strings as they are,
// anything else as JSON.
func cell(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

func (p *Preview) csv(text string) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		p.Err = fmt.Sprintf("The header row cannot be read as CSV: %v.", err)
		return
	}
	p.Columns = header
	for len(p.Rows) < previewRows {
		rec, err := r.Read()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.Err = fmt.Sprintf("Row %d cannot be read as CSV: %v.", len(p.Rows)+1, err)
			}
			return
		}
		row := make([]string, len(header))
		copy(row, rec)
		p.Rows = append(p.Rows, row)
	}
}

// Has reports whether the preview has a column named name.
func (p *Preview) Has(name string) bool {
	for _, c := range p.Columns {
		if c == name {
			return true
		}
	}
	return false
}
