package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/browsertest"
)

// page drives the app in one tab and keeps what the browser reports.
type page struct {
	t    *testing.T
	ctx  context.Context
	out  string // screenshots
	shot int

	mu      sync.Mutex
	sent    []*network.EventRequestWillBeSent
	console []string
}

// open starts Chromium with a fresh profile, opens the site at url and
// waits for the engine and the sample datasets.
func open(t *testing.T, ctx context.Context, url string) *page {
	t.Helper()
	tab, closeBrowser, err := browsertest.Chromium(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBrowser)
	p := &page{t: t, ctx: tab, out: t.ArtifactDir()}
	t.Logf("screenshots in %s", p.out)
	p.watch()
	p.do("watching for Content-Security-Policy violations", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatch})
		return err
	}))
	p.do("opening the page", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(url))
	p.ready()
	if !eval[bool](p, `crossOriginIsolated`) {
		p.fail("the page is not cross-origin isolated")
	}
	return p
}

// cspWatch keeps the page's Content-Security-Policy violations (DevTools
// runs it before the page's own scripts).
const cspWatch = `window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`

// checkCSP fails the test if the policy blocked anything: an inline style
// or script, eval, or a request to another origin.
func (p *page) checkCSP() {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`window.cspViolations || []`))
	if err != nil {
		p.t.Errorf("reading the Content-Security-Policy violations: %v", err)
	}
	for _, s := range v {
		p.t.Errorf("the Content-Security-Policy blocked %s", s)
	}
}

// ready waits for the engine and the sample datasets.
func (p *page) ready() {
	p.t.Helper()
	wait[bool](p, "the engine", `document.querySelector('.engine')?.textContent.startsWith('Engine ready')`, time.Minute)
	wait[bool](p, "the sample datasets", `!document.getElementById('sample-wordnet-definitions')?.disabled`, 30*time.Second)
}

// watch records the tab's requests, console messages and exceptions.
func (p *page) watch() {
	reqs := chromedp.Events(p.ctx, network.RequestWillBeSent)
	logs := chromedp.Events(p.ctx, runtime.ConsoleAPICalled)
	errs := chromedp.Events(p.ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range reqs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.sent = append(p.sent, &ev)
			p.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			p.log("console.%s: %s", ev.Type, strings.Join(parts, " "))
		}
	}()
	go func() {
		for ev, err := range errs {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			p.log("exception: %s", msg)
		}
	}()
}

func (p *page) log(format string, args ...any) {
	p.mu.Lock()
	p.console = append(p.console, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

// requestsSent returns the requests the tab has sent so far.
func (p *page) requestsSent() []*network.EventRequestWillBeSent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*network.EventRequestWillBeSent(nil), p.sent...)
}

// fail ends the test with what the page logged and a last screenshot.
func (p *page) fail(format string, args ...any) {
	p.t.Helper()
	p.screenshot("failed")
	p.mu.Lock()
	logs := strings.Join(p.console, "\n")
	p.mu.Unlock()
	p.t.Fatalf(format+"\nthe page's console:\n%s", append(args, logs)...)
}

// do runs actions, failing the test on error.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.fail("%s: %v", what, err)
	}
}

// click clicks the element that selector matches, once it is enabled (a
// button waits while the engine is busy).
func (p *page) click(selector string) {
	p.t.Helper()
	sel, _ := json.Marshal(selector)
	wait[bool](p, selector+" to be enabled", fmt.Sprintf(`(e => !!e && !e.disabled)(document.querySelector(%s))`, sel), time.Minute)
	p.do("clicking "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// wait waits until the JavaScript expression is truthy and returns its
// value.
func wait[T any](p *page, what, expr string, timeout time.Duration) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		p.fail("waiting %v for %s (%s): %v", timeout, what, expr, err)
	}
	return v
}

// eval evaluates a JavaScript expression.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.fail("evaluating %s: %v", expr, err)
	}
	return v
}

// set types value into the field id and leaves it, as a person does, so
// that it sends its input and change events.
func (p *page) set(id, value string) {
	p.t.Helper()
	js, _ := json.Marshal(value)
	eval[chromedp.Void](p, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.focus(); e.value = %s;
		e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()`, id, js))
}

// text is the text of the element id.
func (p *page) text(id string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.getElementById(%q).textContent`, id))
}

// screenshot saves the whole page as NN-name.png.
func (p *page) screenshot(name string) {
	p.shot++
	// From the top, so that sticky columns sit where a person sees them.
	if err := chromedp.Do(p.ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(p.out, fmt.Sprintf("%02d-%s.png", p.shot, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}
