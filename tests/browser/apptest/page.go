package apptest

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

// Page drives the app in one tab and keeps what the browser reports.
type Page struct {
	T   *testing.T
	Ctx context.Context // the tab's
	Out string          // where screenshots go: the test's artifact directory

	mu         sync.Mutex
	shot       int
	sent       []*network.EventRequestWillBeSent
	workerSent int      // of sent, by workers (Options.FollowWorkers)
	workers    []string // the workers followed
	wctx       []workerCtx
	console    []string
	workerInit string // Options.WorkerScript
}

// Options say how Open opens the page.
type Options struct {
	// Defaults are public/engine.js's start options
	// (globalThis.prefixtuneEngineDefaults), nil for none.
	Defaults map[string]any
	// FollowWorkers records the requests of the tab's workers too.
	FollowWorkers bool
	// NoWait opens the page without waiting for the engine.
	NoWait bool
	// WorkerScript, when set, runs in every worker the tab starts (the
	// engine worker, the kernel pool's helpers), before the worker's own
	// script; it implies FollowWorkers. EvalWorker reaches the workers
	// afterwards.
	WorkerScript string
}

// hooks runs in every document before its own scripts (DevTools adds it,
// so the page's Content-Security-Policy does not apply to it): it keeps
// the page's workers in testWorkers, so that a test can listen to or kill
// the engine, and the policy's violations in cspViolations.
const hooks = `window.testWorkers = [];
window.Worker = class extends window.Worker {
	constructor(...args) { super(...args); testWorkers.push(this); }
};
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`

// Open starts Chromium with a fresh profile, opens url in a 1366x900
// window with the hooks, and waits for the engine.
func Open(t *testing.T, ctx context.Context, url string, o Options) *Page {
	t.Helper()
	tab, closeBrowser, err := browsertest.Chromium(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBrowser)
	p := &Page{T: t, Ctx: tab, Out: t.ArtifactDir()}
	t.Logf("screenshots in %s", p.Out)
	p.watch()
	p.workerInit = o.WorkerScript
	if o.FollowWorkers || o.WorkerScript != "" {
		p.follow(p.Ctx)
	}
	script := hooks
	if o.Defaults != nil {
		b, err := json.Marshal(o.Defaults)
		if err != nil {
			t.Fatal(err)
		}
		script += "\nwindow.prefixtuneEngineDefaults = " + string(b) + ";"
	}
	p.Do("adding the test hooks", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
	p.Do("opening the page", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(url))
	if !o.NoWait {
		p.Ready()
	}
	return p
}

// Ready waits for the engine.
func (p *Page) Ready() {
	p.T.Helper()
	Wait[bool](p, "the engine", `document.querySelector('.engine')?.textContent.startsWith('Engine ready')`, time.Minute)
}

// watch records the tab's requests, console messages and exceptions.
func (p *Page) watch() {
	reqs := chromedp.Events(p.Ctx, network.RequestWillBeSent)
	logs := chromedp.Events(p.Ctx, runtime.ConsoleAPICalled)
	errs := chromedp.Events(p.Ctx, runtime.ExceptionThrown)
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
			p.Log("console.%s: %s", ev.Type, strings.Join(parts, " "))
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
			p.Log("exception: %s", msg)
		}
	}()
}

// Log keeps a line to show when the test fails.
func (p *Page) Log(format string, args ...any) {
	p.mu.Lock()
	p.console = append(p.console, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

// RequestsSent returns the requests the tab (and the workers followed)
// sent so far.
func (p *Page) RequestsSent() []*network.EventRequestWillBeSent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*network.EventRequestWillBeSent(nil), p.sent...)
}

// Workers returns how many of the requests sent came from workers, and
// the workers followed.
func (p *Page) Workers() (requests int, workers []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workerSent, append([]string(nil), p.workers...)
}

// CSPViolations returns the Content-Security-Policy violations the page
// has seen.
func (p *Page) CSPViolations() []string {
	p.T.Helper()
	return Eval[[]string](p, `window.cspViolations || []`)
}

// CheckCSP fails the test if the policy blocked anything: an inline style
// or script, eval, or a request to another origin.
func (p *Page) CheckCSP() {
	p.T.Helper()
	for _, s := range p.CSPViolations() {
		p.T.Errorf("the Content-Security-Policy blocked %s", s)
	}
}

// Fail ends the test with what the page logged and a last screenshot.
func (p *Page) Fail(format string, args ...any) {
	p.T.Helper()
	p.Screenshot("failed")
	p.mu.Lock()
	logs := strings.Join(p.console, "\n")
	p.mu.Unlock()
	p.T.Fatalf(format+"\nthe page's console:\n%s", append(args, logs)...)
}

// Do runs actions, failing the test on error.
func (p *Page) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.T.Helper()
	if err := chromedp.Do(p.Ctx, actions...); err != nil {
		p.Fail("%s: %v", what, err)
	}
}

// Click clicks the element that selector matches, once it is enabled (a
// button waits while the engine is busy).
func (p *Page) Click(selector string) {
	p.T.Helper()
	sel, _ := json.Marshal(selector)
	Wait[bool](p, selector+" to be enabled", fmt.Sprintf(`(e => !!e && !e.disabled)(document.querySelector(%s))`, sel), time.Minute)
	p.Do("clicking "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// Wait waits until the JavaScript expression is truthy and returns its
// value.
func Wait[T any](p *Page, what, expr string, timeout time.Duration) T {
	p.T.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		p.Fail("waiting %v for %s (%s): %v", timeout, what, expr, err)
	}
	return v
}

// Eval evaluates a JavaScript expression, awaiting it if it is a promise.
func Eval[T any](p *Page, expr string) T {
	p.T.Helper()
	v, err := chromedp.Run(p.Ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.Fail("evaluating %s: %v", expr, err)
	}
	return v
}

// Set types value into the field id and leaves it, as a person does, so
// that it sends its input and change events.
func (p *Page) Set(id, value string) {
	p.T.Helper()
	js, _ := json.Marshal(value)
	Eval[chromedp.Void](p, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.focus(); e.value = %s;
		e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()`, id, js))
}

// Text is the text of the element id ("" if there is none).
func (p *Page) Text(id string) string {
	p.T.Helper()
	return Eval[string](p, fmt.Sprintf(`document.getElementById(%q)?.textContent ?? ''`, id))
}

// Screenshot saves the whole page as NN-name.png, from the top, so that
// sticky columns sit where a person sees them.
func (p *Page) Screenshot(name string) {
	p.mu.Lock()
	p.shot++
	n := p.shot
	p.mu.Unlock()
	if err := chromedp.Do(p.Ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		p.T.Logf("screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(p.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.T.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(p.Out, fmt.Sprintf("%02d-%s.png", n, name)), png, 0o644); err != nil {
		p.T.Logf("screenshot %s: %v", name, err)
	}
}
