package apptest

import (
	"context"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// follow makes the workers that the target of ctx starts, and theirs,
// wait at their start until their requests are recorded too (DevTools
// reports a dedicated worker's requests to the worker's own session, not
// the page's) and Options.WorkerScript has run in them.
func (p *Page) follow(ctx context.Context) {
	attached := chromedp.Events(ctx, target.AttachedToTarget)
	yes := true
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: true, WaitForDebuggerOnStart: true, Flatten: &yes})
		return err
	}))
	if err != nil {
		p.Log("following workers: %v", err)
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
func (p *Page) attach(parent context.Context, info *target.Info) {
	wctx, _ := chromedp.NewContext(parent, chromedp.WithTargetID(info.TargetID))
	if err := chromedp.Do(wctx); err != nil { // attaches, with Network enabled
		p.Log("attaching to worker %s: %v", info.URL, err)
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
	if p.workerInit != "" {
		if _, err := chromedp.Run(wctx, chromedp.Evaluate[chromedp.Void](p.workerInit)); err != nil {
			p.Log("running the test script in worker %s: %v", info.URL, err)
		}
	}
	err := chromedp.Do(wctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, runtime.RunIfWaitingForDebugger, cdp.Empty{})
		return err
	}))
	if err != nil {
		p.Log("starting worker %s: %v", info.URL, err)
	}
	p.mu.Lock()
	p.workers = append(p.workers, info.URL)
	p.wctx = append(p.wctx, workerCtx{info.URL, wctx})
	p.mu.Unlock()
}

// workerCtx is a followed worker's DevTools session.
type workerCtx struct {
	url string
	ctx context.Context
}

// EvalWorker evaluates a JavaScript expression in the latest followed
// worker whose script URL contains url, awaiting it if it is a promise.
func EvalWorker[T any](p *Page, url, expr string) T {
	p.T.Helper()
	p.mu.Lock()
	var ctx context.Context
	for _, w := range p.wctx {
		if strings.Contains(w.url, url) {
			ctx = w.ctx
		}
	}
	p.mu.Unlock()
	if ctx == nil {
		p.Fail("no followed worker runs %s (Options.FollowWorkers or WorkerScript)", url)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.Fail("evaluating %s in worker %s: %v", expr, url, err)
	}
	return v
}
