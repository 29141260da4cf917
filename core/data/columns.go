package data

import "strings"

// columns are the names of the fields to read (CSV columns, JSONL keys) and
// the kind of row that the caller asked for.
type columns struct {
	prompt, completion, text string
	kind                     rowKind
}

type rowKind int

const (
	anyKind  rowKind = iota // pairs or text, whichever the row has
	pairKind                // prompt and completion
	textKind                // text only
)

func columnsOf(o Options) columns {
	c := columns{prompt: "prompt", completion: "completion", text: "text"}
	switch {
	case o.PromptColumn != "" || o.CompletionColumn != "":
		c.kind = pairKind
	case o.TextColumn != "":
		c.kind = textKind
	}
	if o.PromptColumn != "" {
		c.prompt = o.PromptColumn
	}
	if o.CompletionColumn != "" {
		c.completion = o.CompletionColumn
	}
	if o.TextColumn != "" {
		c.text = o.TextColumn
	}
	return c
}

// pick decides whether a row (JSONL) or header (CSV) with the fields that
// has reports holds a pair or a text. It returns the fields that are
// missing, or conflict when the row has both kinds and the caller named
// neither.
func (c columns) pick(has func(name string) bool) (pair bool, missing []string, conflict bool) {
	p, q, t := has(c.prompt), has(c.completion), has(c.text)
	kind := c.kind
	if kind == anyKind {
		switch {
		case (p || q) && t:
			return false, nil, true
		case t:
			kind = textKind
		default:
			kind = pairKind
		}
	}
	if kind == textKind {
		if !t {
			missing = append(missing, c.text)
		}
		return false, missing, false
	}
	if !p {
		missing = append(missing, c.prompt)
	}
	if !q {
		missing = append(missing, c.completion)
	}
	return true, missing, false
}

// need describes the fields a row needs, for error messages.
func (c columns) need() string {
	switch c.kind {
	case pairKind:
		return quoteList([]string{c.prompt, c.completion})
	case textKind:
		return quoteList([]string{c.text})
	}
	return quoteList([]string{c.prompt, c.completion}) + ", or " + quoteList([]string{c.text})
}

// both names the two kinds of field, for conflict messages.
func (c columns) both() string {
	return `"` + c.text + `" and "` + c.prompt + `"/"` + c.completion + `"`
}

// quoteList joins names as `"a"` or `"a" and "b"`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + n + `"`
	}
	return strings.Join(q, " and ")
}
