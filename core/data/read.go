package data

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Example is one training example. Loss is taken on the completion and the
// end-of-sequence token after it, never on the prompt. A text example has
// an empty Prompt, so loss is on all of its tokens.
type Example struct {
	Prompt, Completion string
}

// Format is a training file format.
type Format string

const (
	JSONL Format = "jsonl" // one JSON object per line
	CSV   Format = "csv"   // comma-separated values with a header row
	Text  Format = "text"  // plain text, one example per paragraph
)

// DefaultMaxLineBytes is the longest physical line accepted when
// Options.MaxLineBytes is 0.
const DefaultMaxLineBytes = 1 << 20

// Options tells Parse how to read a file. The zero value reads the default
// columns with the default line limit.
type Options struct {
	// Name is the file name used in error messages; Read sets it to the
	// path when empty. Parse uses "input" when empty.
	Name string
	// PromptColumn, CompletionColumn and TextColumn name the CSV columns
	// (and JSONL keys) to read; see the package documentation for which
	// combinations select pairs or text.
	PromptColumn, CompletionColumn, TextColumn string
	// MaxLineBytes limits the length in bytes of one physical line (not
	// counting its "\n"); 0 means DefaultMaxLineBytes.
	MaxLineBytes int
}

// Error is a problem in a training file. Line is 1-based, or 0 when the
// problem is not on one line.
type Error struct {
	Name string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Msg)
}

// FormatOf returns the format that a file name's extension stands for.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".json", ".ndjson":
		return JSONL, nil
	case ".csv":
		return CSV, nil
	case ".txt", ".text":
		return Text, nil
	}
	return "", fmt.Errorf("%s: unknown file type %q (use .jsonl, .csv or .txt)", name, filepath.Ext(name))
}

// Read reads the examples of the file at path, in the format its extension
// names.
func Read(path string, opts Options) ([]Example, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if opts.Name == "" {
		opts.Name = path
	}
	return Parse(f, format, opts)
}

// Parse reads the examples in r, which holds a file in the given format.
// It returns at least one example, or an error.
func Parse(r io.Reader, format Format, opts Options) ([]Example, error) {
	if opts.Name == "" {
		opts.Name = "input"
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultMaxLineBytes
	}
	in, err := open(r, opts)
	if err != nil {
		return nil, err
	}
	var exs []Example
	switch format {
	case JSONL:
		exs, err = parseJSONL(in, opts)
	case CSV:
		exs, err = parseCSV(in, opts)
	case Text:
		exs, err = parseText(in, opts)
	default:
		return nil, fmt.Errorf("data: unknown format %q (use %q, %q or %q)", format, JSONL, CSV, Text)
	}
	if err != nil {
		return nil, err
	}
	if len(exs) == 0 {
		return nil, &Error{opts.Name, 0, "no examples in the file (is it empty?)"}
	}
	return exs, nil
}

// open skips a UTF-8 byte order mark, refuses UTF-16, and limits lines.
func open(r io.Reader, opts Options) (*bufio.Reader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(3) // a read error resurfaces on the next read
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, &Error{opts.Name, 0, "the file is UTF-16; save it as UTF-8"}
	}
	return bufio.NewReader(&lineLimit{r: br, name: opts.Name, max: opts.MaxLineBytes, line: 1}), nil
}

// lineLimit fails with an *Error once a physical line is longer than max
// bytes.
type lineLimit struct {
	r    io.Reader
	name string
	max  int
	line int // 1-based number of the line being read
	run  int // bytes of that line read so far
	err  error
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		nl := bytes.IndexByte(p[i:n], '\n')
		end := n
		if nl >= 0 {
			end = i + nl
		}
		if l.run+end-i > l.max {
			l.err = &Error{l.name, l.line, fmt.Sprintf("line longer than %d bytes (split it, or raise the line limit)", l.max)}
			return i, l.err
		}
		if nl < 0 {
			l.run += end - i
			break
		}
		l.line++
		l.run = 0
		i = end + 1
	}
	return n, err
}
