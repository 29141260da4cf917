package data

import (
	"fmt"
	"strings"
)

// Template is a prompt template: the text every prompt is written into,
// where {prompt} stands for the prompt and the escapes \n, \t and \\ for a
// newline, a tab and a backslash, as `prefixtune train --template` and the
// page's Data step take it. The empty template leaves prompts as they are.
//
// Text examples (an empty prompt) are left as they are too: the template
// frames a prompt, and a text has none.
type Template struct {
	before, after string
	set           bool
}

// ParseTemplate reads a template; it must hold {prompt} exactly once.
func ParseTemplate(s string) (Template, error) {
	if s == "" {
		return Template{}, nil
	}
	if strings.Count(s, "{prompt}") != 1 {
		return Template{}, fmt.Errorf("template %q: write {prompt} once where the prompt goes, e.g. \"{prompt}\\n\"", s)
	}
	s = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\t`, "\t").Replace(s)
	before, after, _ := strings.Cut(s, "{prompt}")
	return Template{before: before, after: after, set: true}, nil
}

// Prompt writes prompt p into the template.
func (t Template) Prompt(p string) string {
	if !t.set {
		return p
	}
	return t.before + p + t.after
}

// Apply returns exs with every prompt written into the template (a copy;
// exs is kept). Examples without a prompt stay as they are.
func (t Template) Apply(exs []Example) []Example {
	if !t.set {
		return exs
	}
	out := make([]Example, len(exs))
	for i, ex := range exs {
		out[i] = ex
		if ex.Prompt != "" {
			out[i].Prompt = t.Prompt(ex.Prompt)
		}
	}
	return out
}

// Overhead is the number of tokens the template adds to a prompt, about
// (the tokens of its text around {prompt}).
func (t Template) Overhead(enc Encoder) int {
	if !t.set {
		return 0
	}
	return len(enc.Encode(t.before + t.after))
}
