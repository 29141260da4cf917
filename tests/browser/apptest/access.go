package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/emulation"
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
	problems = append(problems, Eval[[]string](p, lowContrast)...)
	if len(problems) > 0 {
		p.Screenshot("inaccessible-" + where)
		p.Fail("the page (%s) is not accessible:\n  %s", where, strings.Join(problems, "\n  "))
	}
}

// lowContrast lists the visible text of the page (HTML and SVG) whose
// colour, over the background it sits on, falls below WCAG's AA contrast:
// 4.5:1, or 3:1 for large text (24px, or 18.66px bold). Disabled controls
// are exempt, as WCAG has them. A colour it cannot read is reported too.
const lowContrast = `(() => {
	const parse = (c) => {
		const m = c.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
		return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
	};
	const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3])).concat(1);
	const lum = (c) => { const l = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
		return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
	// background composites the backgrounds from e up to the first opaque one.
	const background = (e) => {
		const layers = [];
		for (let a = e; a; a = a.parentElement) {
			const c = parse(getComputedStyle(a).backgroundColor);
			if (c && c[3] > 0) { layers.push(c); if (c[3] === 1) break; }
		}
		return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1]);
	};
	const out = [];
	for (const e of document.querySelectorAll('body *')) {
		const text = [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
		if (!text || !e.getClientRects().length || e.closest(':disabled, [aria-disabled=true], [hidden]')) continue;
		const s = getComputedStyle(e);
		if (s.visibility !== 'visible' || e.tagName === 'OPTION' || e.tagName === 'SCRIPT' || e.tagName === 'STYLE') continue;
		const fg = parse(e instanceof SVGElement ? s.fill : s.color), bg = background(e instanceof SVGElement ? e.ownerSVGElement ?? e : e);
		if (!fg) { out.push('the text "' + text.slice(0, 40) + '" has a colour this check cannot read: ' + s.color); continue; }
		const a = lum(over(fg, bg)), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
		const size = parseFloat(s.fontSize), large = size >= 24 || (size >= 18.66 && +s.fontWeight >= 700);
		if (ratio < (large ? 3 : 4.5)) out.push('the text "' + text.slice(0, 40) + '" has a contrast of ' + ratio.toFixed(2) + ':1 (' + s.color + ' on rgb(' + bg.slice(0, 3).map(Math.round) + '))');
	}
	return out;
})()`

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

// ColorScheme makes the page see prefers-color-scheme as scheme ("light" or
// "dark"), as a person whose system is set so does.
func (p *Page) ColorScheme(scheme string) {
	p.T.Helper()
	p.Do("the "+scheme+" colour scheme", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}
