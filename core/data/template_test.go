package data

import (
	"reflect"
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	tpl, err := ParseTemplate(`Q: {prompt}\nA:\t\\`)
	if err != nil {
		t.Fatal(err)
	}
	in := []Example{{Prompt: "2+2?", Completion: " 4"}, {Completion: "a whole text"}}
	got := tpl.Apply(in)
	want := []Example{{Prompt: "Q: 2+2?\nA:\t\\", Completion: " 4"}, {Completion: "a whole text"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply: %q, want %q", got, want)
	}
	if in[0].Prompt != "2+2?" {
		t.Errorf("Apply changed its input: %q", in[0].Prompt)
	}
	var none Template
	if p := none.Prompt("as is"); p != "as is" || &none.Apply(in)[0] != &in[0] {
		t.Errorf("the empty template changed a prompt: %q", p)
	}
	for _, bad := range []string{"no placeholder", "{prompt} and {prompt}"} {
		if _, err := ParseTemplate(bad); err == nil || !strings.Contains(err.Error(), "{prompt} once") {
			t.Errorf("ParseTemplate(%q): %v, want an error that says to write {prompt} once", bad, err)
		}
	}
}

func TestTemplateOverhead(t *testing.T) {
	tpl, _ := ParseTemplate(`Question: {prompt} Answer in one word:`)
	if n := tpl.Overhead(words{}); n != 5 {
		t.Errorf("overhead %d tokens, want 5", n)
	}
	if n := (Template{}).Overhead(words{}); n != 0 {
		t.Errorf("the empty template adds %d tokens", n)
	}
}
