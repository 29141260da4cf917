package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestPreview(t *testing.T) {
	for _, c := range []struct {
		name, text string
		cut        bool
		want       Preview
		err        string
	}{
		{"a.jsonl", `{"prompt":"p1","completion":"c1"}` + "\n" + `{"completion":"c2","n":3,"prompt":"p2"}` + "\n",
			false, Preview{Format: "jsonl", Columns: []string{"prompt", "completion", "n"}, Rows: [][]string{{"p1", "c1", ""}, {"p2", "c2", "3"}}}, ""},
		{"cut.jsonl", `{"text":"a"}` + "\n" + `{"text":"b`, true,
			Preview{Format: "jsonl", Columns: []string{"text"}, Rows: [][]string{{"a"}}}, ""},
		{"d.csv", "\ufeffq,a\n\"one, two\",\"x\ny\"\n3\n", false,
			Preview{Format: "csv", Columns: []string{"q", "a"}, Rows: [][]string{{"one, two", "x\ny"}, {"3", ""}}}, ""},
		{"t.txt", "First para\ngoes on.\r\n\r\nSecond.\n\n\n", false,
			Preview{Format: "text", Columns: []string{"text"}, Rows: [][]string{{"First para\ngoes on."}, {"Second."}}}, ""},
		{"bad.jsonl", "{\"a\":1}\nnot json\n", false, Preview{}, "Line 2 is not a JSON object"},
		{"x.parquet", "PAR1", false, Preview{}, "unknown file type"},
		{"empty.csv", "", false, Preview{}, "header row"},
		{"empty.txt", "\n\n", false, Preview{}, "no rows"},
	} {
		got := parsePreview(c.name, c.text, c.cut)
		if c.err != "" {
			if !strings.Contains(got.Err, c.err) {
				t.Errorf("%s: error %q, want one about %q", c.name, got.Err, c.err)
			}
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestSetMapping(t *testing.T) {
	for _, c := range []struct {
		p                  Preview
		mode, prompt, comp string
		text               string
	}{
		{Preview{Format: "jsonl", Columns: []string{"text", "prompt", "completion"}}, ModePair, "prompt", "completion", ""},
		{Preview{Format: "jsonl", Columns: []string{"id", "text"}}, ModeText, "", "", "text"},
		{Preview{Format: "csv", Columns: []string{"question", "answer"}}, ModePair, "question", "answer", ""},
		{Preview{Format: "csv", Columns: []string{"body"}}, ModeText, "", "", "body"},
		{Preview{Format: "text", Columns: []string{"text"}}, ModeText, "", "", ""},
	} {
		d := DataState{Preview: &c.p}
		d.setMapping()
		if d.Mode != c.mode || d.PromptCol != c.prompt || d.CompletionCol != c.comp || d.TextCol != c.text {
			t.Errorf("%v: mapping %s %q %q %q", c.p.Columns, d.Mode, d.PromptCol, d.CompletionCol, d.TextCol)
		}
	}
}

func TestMissingModelFiles(t *testing.T) {
	if m := missingModelFiles([]File{{Name: "config.json"}, {Name: "model.safetensors"}, {Name: "tokenizer.json"}, {Name: "README.md"}}); m != "" {
		t.Errorf("a complete model: %q", m)
	}
	if m := missingModelFiles([]File{{Name: "config.json"}}); !strings.Contains(m, "model.safetensors and tokenizer.json") {
		t.Errorf("config.json alone: %q", m)
	}
}

func TestValidRepo(t *testing.T) {
	for repo, want := range map[string]bool{"openai-community/gpt2": true, " o/r ": true, "gpt2": false, "o/": false, "/r": false, "o/r/x": false, "o w/r": false} {
		if validRepo(repo) != want {
			t.Errorf("validRepo(%q) = %v", repo, !want)
		}
	}
}
