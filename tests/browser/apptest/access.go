package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"
)

// named are the roles a person operates or must be told about: a screen
// reader announces each by its accessible name, so none may be without one.
var named = map[string]bool{
	"button": true, "link": true, "textbox": true, "searchbox": true, "combobox": true,
	"listbox": true, "checkbox": true, "radio": true, "spinbutton": true, "slider": true,
	"switch": true, "tab": true, "menuitem": true, "progressbar": true, "image": true,
	"img": true, "table": true, "radiogroup": true, "dialog": true, "alertdialog": true,
}

// CheckAccessible fails the test if what Chromium exposes to assistive
// technology in the page's current state is unusable: a control, image,
// table or progress bar without an accessible name; a form control that
// cannot be reached with the keyboard; two elements with one id (which
// breaks the labels and descriptions that point at them); or headings
// that skip a level. where names the state in the failure.
func (p *Page) CheckAccessible(where string) {
	p.T.Helper()
	var nodes []*accessibility.Node
	p.Do("reading the accessibility tree", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		r, err := chromedp.Call(ctx, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		if err != nil {
			return err
		}
		nodes = r.Nodes
		return nil
	}))
	var problems []string
	level := 0
	for _, n := range nodes {
		if n.Ignored {
			continue
		}
		role, name := str(n.Role), strings.TrimSpace(str(n.Name))
		if named[role] && name == "" {
			problems = append(problems, fmt.Sprintf("a %s without a name (DOM node %d)", role, n.BackendDOMNodeID))
		}
		if isField(role) && !prop(n, "focusable") && !prop(n, "disabled") {
			problems = append(problems, fmt.Sprintf("the %s %q cannot be reached with the keyboard", role, name))
		}
		if role == "heading" {
			l := intProp(n, "level")
			if level > 0 && l > level+1 {
				problems = append(problems, fmt.Sprintf("the heading %q (level %d) follows a heading of level %d", name, l, level))
			}
			level = l
		}
	}
	dup := Eval[[]string](p, `(() => { const seen = new Set(), dup = new Set();
		for (const e of document.querySelectorAll('[id]')) (seen.has(e.id) ? dup : seen).add(e.id);
		return [...dup]; })()`)
	for _, id := range dup {
		problems = append(problems, fmt.Sprintf("more than one element has the id %q", id))
	}
	if len(problems) > 0 {
		p.Screenshot("inaccessible-" + where)
		p.Fail("the page (%s) is not accessible:\n  %s", where, strings.Join(problems, "\n  "))
	}
}

// isField reports whether role is a control a person fills in or toggles.
func isField(role string) bool {
	switch role {
	case "button", "link", "textbox", "searchbox", "combobox", "checkbox", "radio", "spinbutton", "slider", "switch":
		return true
	}
	return false
}

// str is an accessibility value as text ("" if absent).
func str(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v.Value, &s) == nil {
		return s
	}
	return string(v.Value)
}

// prop reports whether the boolean property name of n is true.
func prop(n *accessibility.Node, name string) bool {
	for _, q := range n.Properties {
		if string(q.Name) == name {
			var b bool
			return q.Value != nil && json.Unmarshal(q.Value.Value, &b) == nil && b
		}
	}
	return false
}

// intProp is the integer property name of n (0 if absent).
func intProp(n *accessibility.Node, name string) int {
	for _, q := range n.Properties {
		if string(q.Name) == name && q.Value != nil {
			var i int
			if json.Unmarshal(q.Value.Value, &i) == nil {
				return i
			}
		}
	}
	return 0
}
