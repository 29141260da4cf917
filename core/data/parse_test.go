package data

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

type parseCase struct {
	name   string
	format Format
	in     string
	opts   Options
	want   []Example
	err    string // the whole error message, when Parse must fail
}

func pairs(kv ...string) []Example {
	var exs []Example
	for i := 0; i < len(kv); i += 2 {
		exs = append(exs, Example{kv[i], kv[i+1]})
	}
	return exs
}

func texts(ts ...string) []Example {
	var exs []Example
	for _, t := range ts {
		exs = append(exs, Example{Completion: t})
	}
	return exs
}

const needAny = `(rows need "prompt" and "completion", or "text")`

var jsonlCases = []parseCase{
	{name: "pairs", in: `{"prompt":"a","completion":" b"}` + "\n" + `{"prompt":"c","completion":"d","id":7}` + "\n",
		want: pairs("a", " b", "c", "d")},
	{name: "text", in: `{"text":"hello"}`, want: texts("hello")},
	{name: "mixed kinds", in: `{"text":"t"}` + "\n" + `{"prompt":"p","completion":"c"}`, want: append(texts("t"), pairs("p", "c")...)},
	{name: "bom crlf blank lines", in: "\ufeff\r\n" + `{"text":"x"}` + "\r\n  \r\n\n" + `{"text":"y\nz"}` + "\r\n",
		want: texts("x", "y\nz")},
	{name: "escapes", in: `{"prompt":"\u00e9\t","completion":"\"q\""}`, want: pairs("é\t", `"q"`)},
	{name: "missing completion", in: `{"text":"ok"}` + "\n\n" + `{"prompt":"a"}`,
		err: `input:3: missing "completion" ` + needAny},
	{name: "null is missing", in: `{"prompt":"a","completion":null}`,
		err: `input:1: missing "completion" ` + needAny},
	{name: "no fields", in: `{"input":"a","output":"b"}`,
		err: `input:1: missing "prompt" and "completion" ` + needAny},
	{name: "both kinds", in: `{"prompt":"a","completion":"b","text":"c"}`,
		err: `input:1: has both "text" and "prompt"/"completion" (rows need "prompt" and "completion", or "text", not both)`},
	{name: "number", in: `{"prompt":1,"completion":"b"}`,
		err: `input:1: "prompt" must be a string, not a number (put the value in quotes)`},
	{name: "array value", in: `{"text":["a"]}`,
		err: `input:1: "text" must be a string, not an array (put the value in quotes)`},
	{name: "empty completion", in: `{"prompt":"a","completion":"  "}`,
		err: `input:1: "completion" is empty (fill it in or remove the row)`},
	{name: "empty text", in: `{"text":""}`, err: `input:1: "text" is empty (fill it in or remove the row)`},
	{name: "not an object", in: `{"text":"a"}` + "\n" + `["a","b"]`,
		err: `input:2: not a JSON object (each line must be one object, like {"prompt": "...", "completion": "..."})`},
	{name: "null line", in: `null`,
		err: `input:1: not a JSON object (each line must be one object, like {"prompt": "...", "completion": "..."})`},
	{name: "json array file", in: "\n" + `[{"text":"a"},` + "\n" + `{"text":"b"}]`,
		err: `input:2: the file is a JSON array; write one object per line (JSON Lines) instead`},
	{name: "truncated object", in: `{"text":"a"` + "\n", err: `input:1: invalid JSON: unexpected end of JSON input (each line must be one complete JSON object)`},
	{name: "bad utf8", in: `{"text":"a"}` + "\n" + "{\"text\":\"\xff\"}", err: `input:2: not valid UTF-8 (save the file as UTF-8)`},
	{name: "utf16", in: "\xff\xfe{\x00", err: `input: the file is UTF-16; save it as UTF-8`},
	{name: "empty file", in: "", err: `input: no examples in the file (is it empty?)`},
	{name: "blank file", in: "\n \r\n", err: `input: no examples in the file (is it empty?)`},
	{name: "named columns", in: `{"q":"a","a":"b","prompt":"x"}`, opts: Options{PromptColumn: "q", CompletionColumn: "a"},
		want: pairs("a", "b")},
	{name: "named columns missing", in: `{"prompt":"a","completion":"b"}`, opts: Options{PromptColumn: "q", CompletionColumn: "a"},
		err: `input:1: missing "q" and "a" (rows need "q" and "a")`},
	{name: "named text column", in: `{"body":"t","prompt":"x","completion":"y"}`, opts: Options{TextColumn: "body"},
		want: texts("t")},
	{name: "named file", in: `{}`, opts: Options{Name: "data.jsonl"},
		err: `data.jsonl:1: missing "prompt" and "completion" ` + needAny},
	{name: "long line", in: `{"text":"a"}` + "\n" + `{"text":"abcdefgh"}`, opts: Options{MaxLineBytes: 12},
		err: `input:2: line longer than 12 bytes (split it, or raise the line limit)`},
}

var csvCases = []parseCase{
	{name: "pairs", in: "prompt,completion\na,b\nc, d\n", want: pairs("a", "b", "c", " d")},
	{name: "header spaces and case, extra columns, order", in: "id, Completion ,PROMPT\n1,b,a\n", want: pairs("a", "b")},
	{name: "text", in: "text\nhello\nworld", want: texts("hello", "world")},
	{name: "bom crlf", in: "\ufeffprompt,completion\r\na,b\r\nc,d\r\n", want: pairs("a", "b", "c", "d")},
	{name: "quoted", in: "prompt,completion\n\"a, \"\"x\"\"\",\"line1\r\nline2\"\n", want: pairs(`a, "x"`, "line1\nline2")},
	{name: "blank rows skipped", in: "prompt,completion\n\n,\n a , b \n , \n", want: pairs(" a ", " b ")},
	{name: "named columns", in: "q,a,text\nx,y,z\n", opts: Options{PromptColumn: "q", CompletionColumn: "a"}, want: pairs("x", "y")},
	{name: "named text column resolves both", in: "prompt,completion,text\nx,y,z\n", opts: Options{TextColumn: "text"}, want: texts("z")},
	{name: "both kinds", in: "prompt,completion,text\nx,y,z\n",
		err: `input:1: the header has both "text" and "prompt"/"completion" columns (name the columns to use)`},
	{name: "missing column", in: "prompt,answer\nx,y\n",
		err: `input:1: the header has no "completion" column (found "prompt", "answer"; a CSV file needs "prompt" and "completion", or "text" columns, or name the columns to use)`},
	{name: "header after blank lines", in: "\n\nid,text\n1,a\n", opts: Options{PromptColumn: "q"},
		err: `input:3: the header has no "q" and "completion" columns (found "id", "text"; a CSV file needs "q" and "completion" columns, or name the columns to use)`},
	{name: "duplicate column", in: "prompt,completion,Prompt\nx,y,z\n", err: `input:1: two columns are named "prompt" (rename one)`},
	{name: "field count after multiline row", in: "prompt,completion\n\"a\nb\",c\nd,e,f\n",
		err: `input:4: the row does not have the header's 2 fields (put fields that contain commas in double quotes)`},
	{name: "bare quote", in: "prompt,completion\na,5\" screen\n",
		err: `input:2: a " in a field that is not quoted (quote the field and double the quote: "say ""hi""")`},
	{name: "unclosed quote", in: "prompt,completion\na,\"open\nmore\n",
		err: `input:2: a quoted field starting on this line is not closed properly near line 3 (end it with " and double any " inside it)`},
	{name: "empty completion", in: "prompt,completion\na,b\nc,\n", err: `input:3: "completion" is empty (fill it in or remove the row)`},
	{name: "bad utf8", in: "text\nok\n\xc3(\n", err: `input:3: not valid UTF-8 (save the file as UTF-8)`},
	{name: "empty file", in: "", err: `input: the file is empty (a CSV file needs a header row naming its columns)`},
	{name: "header only", in: "prompt,completion\n", err: `input: no examples in the file (is it empty?)`},
	{name: "long line", in: "text\nshort\nmuch too long\n", opts: Options{MaxLineBytes: 8},
		err: `input:3: line longer than 8 bytes (split it, or raise the line limit)`},
}

var textCases = []parseCase{
	{name: "paragraphs", in: "one\ntwo\n\nthree\n", want: texts("one\ntwo", "three")},
	{name: "many blank lines, no final newline", in: "\n\n  a  \n \t \n\n\nb", want: texts("  a  ", "b")},
	{name: "bom crlf", in: "\ufeffa\r\nb\r\n\r\nc\r\n", want: texts("a\nb", "c")},
	{name: "bad utf8", in: "a\n\nb\xff\n", err: `input:3: not valid UTF-8 (save the file as UTF-8)`},
	{name: "empty", in: "\n\n", err: `input: no examples in the file (is it empty?)`},
	{name: "long line", in: "abc\n\nabcdef", opts: Options{MaxLineBytes: 5},
		err: `input:3: line longer than 5 bytes (split it, or raise the line limit)`},
}

func TestParse(t *testing.T) {
	for format, cases := range map[Format][]parseCase{JSONL: jsonlCases, CSV: csvCases, Text: textCases} {
		for _, c := range cases {
			t.Run(string(format)+"/"+c.name, func(t *testing.T) {
				got, err := Parse(strings.NewReader(c.in), format, c.opts)
				if c.err != "" {
					var e *Error
					if err == nil || !errors.As(err, &e) || err.Error() != c.err {
						t.Fatalf("error\n got %v\nwant %s", err, c.err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %q, want %q", got, c.want)
				}
			})
		}
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.jsonl": `{"prompt":"p","completion":"c"}`,
		"b.JSON":  `{"text":"t"}`,
		"c.csv":   "text\nt\n",
		"d.txt":   "t\n",
		"e.jsonl": "{}",
		"f.tsv":   "text\nt\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string][]Example{"a.jsonl": pairs("p", "c"), "b.JSON": texts("t"), "c.csv": texts("t"), "d.txt": texts("t")} {
		got, err := Read(filepath.Join(dir, name), Options{})
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
	path := filepath.Join(dir, "e.jsonl")
	if _, err := Read(path, Options{}); err == nil || !strings.HasPrefix(err.Error(), path+":1: missing") {
		t.Errorf("e.jsonl: error %v does not name the file and line", err)
	}
	if _, err := Read(filepath.Join(dir, "f.tsv"), Options{}); err == nil || !strings.Contains(err.Error(), "use .jsonl, .csv or .txt") {
		t.Errorf("f.tsv: error %v", err)
	}
	if _, err := Read(filepath.Join(dir, "missing.txt"), Options{}); err == nil {
		t.Error("missing file: no error")
	}
}

func TestLongLineAcrossReads(t *testing.T) {
	// Lines of exactly the limit pass, whatever the reader's chunking.
	in := strings.Repeat("abcd\n", 5000) + "\nabcde\n"
	_, err := Parse(strings.NewReader(in), Text, Options{MaxLineBytes: 4})
	if err == nil || err.Error() != "input:5002: line longer than 4 bytes (split it, or raise the line limit)" {
		t.Fatal(err)
	}
	exs, err := Parse(strings.NewReader(strings.Repeat("abcd\n", 5000)), Text, Options{MaxLineBytes: 4})
	if err != nil || len(exs) != 1 {
		t.Fatal(len(exs), err)
	}
}
