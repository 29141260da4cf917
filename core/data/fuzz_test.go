package data

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzFormats = []Format{JSONL, CSV, Text}

// FuzzParse checks, for every format, that Parse never panics, returns
// either examples or an *Error, and returns only examples with a non-blank
// UTF-8 completion.
func FuzzParse(f *testing.F) {
	seeds := map[Format][]string{
		JSONL: {`{"prompt":"a","completion":"b"}`, "\ufeff{\"text\":\"x\"}\r\n\r\n{\"text\":\"y\"}", `[{"text":"a"}]`,
			`{"prompt":1}`, `{"text":"\u00e9\n"}` + "\n" + `{"prompt":"p","completion":null}`, "{\"text\":\"\xff\"}"},
		CSV: {"prompt,completion\na,b\n", "\ufefftext\r\n\"x,\"\"y\"\"\r\nz\"\r\n", "prompt,completion\n\"open\n",
			"prompt,completion,text\na,b,c\n", "text\na\"b\n", "a,b\n1,2,3\n"},
		Text: {"one\ntwo\n\nthree", "\ufeffa\r\n\r\nb", "\n\n", "a\xffb\n"},
	}
	for i, format := range fuzzFormats {
		for _, s := range seeds[format] {
			f.Add([]byte(s), uint8(i), uint16(0))
			f.Add([]byte(s), uint8(i), uint16(8))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, format uint8, maxLine uint16) {
		fm := fuzzFormats[int(format)%len(fuzzFormats)]
		exs, err := Parse(bytes.NewReader(in), fm, Options{MaxLineBytes: int(maxLine)})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || exs != nil {
				t.Fatalf("%s: error %v (%T) with %d examples", fm, err, err, len(exs))
			}
			return
		}
		if len(exs) == 0 {
			t.Fatalf("%s: no examples and no error", fm)
		}
		for _, ex := range exs {
			if strings.TrimSpace(ex.Completion) == "" || !utf8.ValidString(ex.Completion) || !utf8.ValidString(ex.Prompt) {
				t.Fatalf("%s: bad example %q", fm, ex)
			}
			if fm == Text && ex.Prompt != "" {
				t.Fatalf("text: example with a prompt %q", ex)
			}
			for _, line := range strings.Split(ex.Completion, "\n") {
				if fm == Text && strings.TrimSpace(line) == "" {
					t.Fatalf("text: paragraph %q holds a blank line", ex.Completion)
				}
			}
		}
	})
}
