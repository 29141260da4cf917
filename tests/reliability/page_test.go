package reliability

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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/browsertest"
)

// page drives the app in one tab and keeps what the browser reports.
type page struct {
	t    *testing.T
	ctx  context.Context
	out  string // screenshots
	shot int

	mu         sync.Mutex
	sent       []*network.EventRequestWillBeSent
	workerSent int      // of sent, by workers (recordWorkers)
	workers    []string // the workers followed
	console    []string
}

// hooks runs in every document before its own scripts (DevTools adds it,
// so the page's Content-Security-Policy does not apply to it): it keeps
// the page's workers in testWorkers, so that a test can kill the engine,
// and the policy's violations in cspViolations.
const hooks = `window.testWorkers = [];
window.Worker = class extends window.Worker {
	constructor(...args) { super(...args); testWorkers.push(this); }
};
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`

// open starts Chromium with a fresh profile, opens url with the hooks and
// engine defaults (public/engine.js's start options, nil for none), and
// waits for the engine. With follow, the requests of its workers are
// recorded too (recordWorkers).
func open(t *testing.T, ctx context.Context, url string, defaults map[string]any, follow bool) *page {
	t.Helper()
	tab, closeBrowser, err := browsertest.Chromium(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBrowser)
	p := &page{t: t, ctx: tab, out: t.ArtifactDir()}
	p.watch()
	if follow {
		p.recordWorkers()
	}
	script := hooks
	if defaults != nil {
		b, err := json.Marshal(defaults)
		if err != nil {
			t.Fatal(err)
		}
		script += "\nwindow.prefixtuneEngineDefaults = " + string(b) + ";"
	}
	p.do("adding the test hooks", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: script})
		return err
	}))
	p.do("opening the page", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(url))
	if strings.HasSuffix(url, "/") {
		p.ready()
	}
	return p
}

// ready waits for the engine.
func (p *page) ready() {
	p.t.Helper()
	wait[bool](p, "the engine", `document.querySelector('.engine')?.textContent.startsWith('Engine ready')`, time.Minute)
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

// click clicks the element that selector matches, once it is enabled.
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
	v, err := chromedp.Run(p.ctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		p.fail("waiting %v for %s (%s): %v", timeout, what, expr, err)
	}
	return v
}

// eval evaluates a JavaScript expression (awaiting it if it is a promise).
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail("evaluating %s: %v", expr, err)
	}
	return v
}

// set types value into the field id and leaves it, as a person does.
func (p *page) set(id, value string) {
	p.t.Helper()
	js, _ := json.Marshal(value)
	eval[chromedp.Void](p, fmt.Sprintf(`(() => { const e = document.getElementById(%q); e.focus(); e.value = %s;
		e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); })()`, id, js))
}

// text is the text of the element id.
func (p *page) text(id string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`document.getElementById(%q)?.textContent ?? ''`, id))
}

// screenshot saves the whole page as NN-name.png in the test's artifact
// directory.
func (p *page) screenshot(name string) {
	p.shot++
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(p.out, fmt.Sprintf("%02d-%s.png", p.shot, name)), png, 0o644); err != nil {
		p.t.Logf("screenshot %s: %v", name, err)
	}
}

// cspViolations returns the policy violations the page has seen.
func (p *page) cspViolations() []string {
	p.t.Helper()
	return eval[[]string](p, `window.cspViolations || []`)
}

// Steps of the flow the tests share.

// loadDemo loads the bundled demo model; the page moves on to Data.
func (p *page) loadDemo() {
	p.t.Helper()
	p.click("#model-load")
	p.loadedModel()
}

// loadedModel waits until the model loads: the page shows the Data step.
func (p *page) loadedModel() {
	p.t.Helper()
	wait[bool](p, "the model", `document.getElementById('nav-data').getAttribute('aria-current') === 'step'`, time.Minute)
}

// sample loads a sample dataset as it comes.
func (p *page) sample(name string) {
	p.t.Helper()
	p.click("#sample-" + name)
	wait[bool](p, "the data", `!!document.getElementById('data-stats') && !document.querySelector('.busy')`, time.Minute)
}

// tune sets the quick preset and the given options (field id -> value).
func (p *page) tune(fields map[string]string) {
	p.t.Helper()
	p.click("#nav-tune")
	p.click("#preset-quick")
	for id, v := range fields {
		p.set(id, v)
	}
	wait[bool](p, "the estimate", `document.getElementById('tune-estimate')?.textContent.includes('steps in') && !document.querySelector('.busy')`, time.Minute)
}

// progress is the line above the Train step's progress bar.
const progress = `(document.querySelector('label[for=train-progress]')?.textContent ?? '')`

// step is the latest step the Train step shows.
func (p *page) step() int {
	p.t.Helper()
	return eval[int](p, `+document.getElementById('train-progress')?.dataset.step || 0`)
}

// reload reloads the page.
func reload() chromedp.Action[chromedp.Void] { return chromedp.Reload() }

// recordWorkers makes the tab's workers, and theirs, wait at their start
// until their requests are recorded too: DevTools reports a dedicated
// worker's requests to the worker's own session, not the page's. Call it
// before opening the page.
func (p *page) recordWorkers() {
	p.t.Helper()
	p.follow(p.ctx)
}

// follow records the requests of the workers that the target of ctx
// starts, and follows their workers in turn.
func (p *page) follow(ctx context.Context) {
	attached := chromedp.Events(ctx, target.AttachedToTarget)
	yes := true
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: &yes})
		return err
	}))
	if err != nil {
		p.log("following workers: %v", err)
		return
	}
	go func() {
		for ev, err := range attached {
			if err != nil {
				return
			}
			if !strings.Contains(string(ev.TargetInfo.Type), "worker") {
				continue
			}
			go p.attach(ctx, ev.TargetInfo)
		}
	}()
}

// attach records the requests of one worker (which waits at its start)
// and lets it run.
func (p *page) attach(parent context.Context, info *target.Info) {
	wctx, _ := chromedp.NewContext(parent, chromedp.WithTargetID(info.TargetID))
	if err := chromedp.Do(wctx); err != nil { // attaches, with Network enabled
		p.log("attaching to worker %s: %v", info.URL, err)
		return
	}
	reqs := chromedp.Events(wctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range reqs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.sent = append(p.sent, &ev)
			p.workerSent++
			p.mu.Unlock()
		}
	}()
	p.follow(wctx)
	err := chromedp.Do(wctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, runtime.RunIfWaitingForDebugger, cdp.Empty{})
		return err
	}))
	if err != nil {
		p.log("starting worker %s: %v", info.URL, err)
	}
	p.mu.Lock()
	p.workers = append(p.workers, info.URL)
	p.mu.Unlock()
}
