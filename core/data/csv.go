package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// parseCSV reads a header row and then one example per record.
func parseCSV(in *bufio.Reader, opts Options) ([]Example, error) {
	c := columnsOf(opts)
	r := csv.NewReader(in)
	header, err := r.Read()
	if err == io.EOF {
		return nil, &Error{opts.Name, 0, "the file is empty (a CSV file needs a header row naming its columns)"}
	}
	if err != nil {
		return nil, csvError(opts.Name, err, len(header))
	}
	hline, _ := r.FieldPos(0)
	if msg := validUTF8(header); msg != "" {
		return nil, &Error{opts.Name, hline, msg}
	}
	col := map[string]int{}
	dup := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, ok := col[h]; ok {
			dup[h] = true
		}
		col[h] = i
	}
	index := func(name string) int {
		if i, ok := col[strings.ToLower(strings.TrimSpace(name))]; ok {
			return i
		}
		return -1
	}
	pair, missing, conflict := c.pick(func(name string) bool { return index(name) >= 0 })
	switch {
	case conflict:
		return nil, &Error{opts.Name, hline, fmt.Sprintf("the header has both %s columns (name the columns to use)", c.both())}
	case missing != nil:
		noun := "column"
		if len(missing) > 1 {
			noun = "columns"
		}
		return nil, &Error{opts.Name, hline, fmt.Sprintf("the header has no %s %s (found %s; a CSV file needs %s columns, or name the columns to use)",
			quoteList(missing), noun, `"`+strings.Join(header, `", "`)+`"`, c.need())}
	}
	used := []string{c.text}
	if pair {
		used = []string{c.prompt, c.completion}
	}
	for _, name := range used {
		if dup[strings.ToLower(strings.TrimSpace(name))] {
			return nil, &Error{opts.Name, hline, fmt.Sprintf("two columns are named %q (rename one)", name)}
		}
	}
	pi, ci := index(c.prompt), index(used[len(used)-1])

	var exs []Example
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return exs, nil
		}
		if err != nil {
			return nil, csvError(opts.Name, err, len(header))
		}
		line, _ := r.FieldPos(0)
		if allBlank(rec) {
			continue
		}
		if msg := validUTF8(rec); msg != "" {
			return nil, &Error{opts.Name, line, msg}
		}
		ex := Example{Completion: rec[ci]}
		if pair {
			ex.Prompt = rec[pi]
		}
		if msg := blank(ex, c, pair); msg != "" {
			return nil, &Error{opts.Name, line, msg}
		}
		exs = append(exs, ex)
	}
}

// csvError turns an error of encoding/csv into an *Error with advice.
func csvError(name string, err error, fields int) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return readError(name, err)
	}
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return &Error{name, pe.StartLine, fmt.Sprintf("the row does not have the header's %d fields (put fields that contain commas in double quotes)", fields)}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &Error{name, pe.Line, `a " in a field that is not quoted (quote the field and double the quote: "say ""hi""")`}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &Error{name, pe.StartLine, fmt.Sprintf(`a quoted field starting on this line is not closed properly near line %d (end it with " and double any " inside it)`, pe.Line)}
	}
	return readError(name, pe.Err)
}

func validUTF8(fields []string) string {
	for _, f := range fields {
		if !utf8.ValidString(f) {
			return "not valid UTF-8 (save the file as UTF-8)"
		}
	}
	return ""
}

func allBlank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
