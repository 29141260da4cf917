package data

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// parseJSONL reads one JSON object per line, skipping blank lines.
func parseJSONL(in *bufio.Reader, opts Options) ([]Example, error) {
	c := columnsOf(opts)
	var exs []Example
	for line := 1; ; line++ {
		s, err := in.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, readError(opts.Name, err)
		}
		if s = strings.TrimSpace(s); s != "" {
			ex, msg := jsonRow(s, c, exs == nil)
			if msg != "" {
				return nil, &Error{opts.Name, line, msg}
			}
			exs = append(exs, ex)
		}
		if err == io.EOF {
			return exs, nil
		}
	}
}

// jsonRow reads one line (first: the first that is not blank), or says
// what is wrong with it.
func jsonRow(s string, c columns, first bool) (Example, string) {
	if !utf8.ValidString(s) {
		return Example{}, "not valid UTF-8 (save the file as UTF-8)"
	}
	if first && s[0] == '[' {
		return Example{}, "the file is a JSON array; write one object per line (JSON Lines) instead"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		var te *json.UnmarshalTypeError
		if err == nil || errors.As(err, &te) {
			return Example{}, `not a JSON object (each line must be one object, like {"prompt": "...", "completion": "..."})`
		}
		return Example{}, fmt.Sprintf("invalid JSON: %v (each line must be one complete JSON object)", err)
	}
	has := func(k string) bool {
		v, ok := obj[k]
		return ok && string(v) != "null"
	}
	pair, missing, conflict := c.pick(has)
	switch {
	case conflict:
		return Example{}, fmt.Sprintf("has both %s (rows need %s, not both)", c.both(), c.need())
	case missing != nil:
		return Example{}, fmt.Sprintf("missing %s (rows need %s)", quoteList(missing), c.need())
	}
	var ex Example
	var msg string
	if pair {
		ex.Prompt, msg = jsonString(obj, c.prompt)
		if msg != "" {
			return Example{}, msg
		}
		ex.Completion, msg = jsonString(obj, c.completion)
	} else {
		ex.Completion, msg = jsonString(obj, c.text)
	}
	if msg != "" {
		return Example{}, msg
	}
	return ex, blank(ex, c, pair)
}

// jsonString decodes the string value of key k in obj.
func jsonString(obj map[string]json.RawMessage, k string) (string, string) {
	var s string
	if err := json.Unmarshal(obj[k], &s); err != nil {
		return "", fmt.Sprintf("%q must be a string, not %s (put the value in quotes)", k, jsonKind(obj[k]))
	}
	return s, ""
}

func jsonKind(v json.RawMessage) string {
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// blank says what is wrong when the completion (or text) of ex is blank.
func blank(ex Example, c columns, pair bool) string {
	if strings.TrimSpace(ex.Completion) != "" {
		return ""
	}
	name := c.text
	if pair {
		name = c.completion
	}
	return fmt.Sprintf("%q is empty (fill it in or remove the row)", name)
}

// readError names the file in an error from the underlying reader.
func readError(name string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return fmt.Errorf("%s: %w", name, err)
}
