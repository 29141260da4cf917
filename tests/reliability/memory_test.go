package reliability

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"prefixtune/tests/browser/apptest"
)

// growLimit runs in the engine worker (and the kernel pool's helpers)
// before their scripts: every WebAssembly.Memory.grow called from
// JavaScript (the kernel pool's arena; Go's own memory grows from inside
// WebAssembly) is logged in testGrows, and once the test sets
// testMemoryLimit, a grow past it throws the RangeError Chromium throws at
// a memory's maximum.
const growLimit = `(() => {
	const grow = WebAssembly.Memory.prototype.grow;
	self.testGrows = [];
	self.testMemoryLimit = 0;
	WebAssembly.Memory.prototype.grow = function (pages) {
		const from = this.buffer.byteLength, to = from + pages * 65536;
		const refused = self.testMemoryLimit > 0 && to > self.testMemoryLimit;
		self.testGrows.push({from, to, refused});
		if (refused) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
		return grow.call(this, pages);
	};
})()`

// grown is one logged grow of the arena.
type grown struct {
	From, To int64
	Refused  bool
}

// grows returns the engine worker's log of grows.
func grows(p *apptest.Page) []grown {
	p.T.Helper()
	return apptest.EvalWorker[[]grown](p, "engine-worker", `self.testGrows`)
}

// TestOutOfMemory makes the browser refuse to grow the engine's arena past
// the size a first run (batch 4, saved every 10 steps) left it at, then
// starts a run of batch 48: the engine's prediction (under the 4 GB a
// cross-origin isolated page gives) lets it start, and the allocation of
// its activations fails part-way. The Train step must say that memory ran
// out and what to do; the model, the data, the settings and the first
// run's checkpoint must still be there; the first run must open from its
// checkpoint, and with the batch back at 4 a new run must train to the
// end, under the same limit: the half-allocated run left nothing behind
// in the arena. The failing run has the MLP (hidden size 4096): its
// prefix alone takes two allocations of 38 MB (parameters, gradients),
// the first of which fits in the slots the first run freed, more than
// the arena has to spare, so that what a failed run leaves allocated
// makes the later run fail too.
func TestOutOfMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	const steps, small, big, mlp = 20, "4", "48", "4096"
	srv := serve(t, web.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{WorkerScript: growLimit})
	p.LoadDemo()
	p.Sample("wordnet-definitions")
	settings := func(batch string) map[string]string {
		return map[string]string{"tune-steps": strconv.Itoa(steps), "tune-save-every": "10", "tune-batch": batch}
	}
	p.Tune(settings(small))
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the first run", apptest.Progress+`.startsWith('Done')`, time.Minute)
	g := grows(p)
	if len(g) == 0 {
		p.Fail("the engine's arena never grew: the test's wrapper of WebAssembly.Memory.prototype.grow did not run in the engine worker")
	}
	first := g[len(g)-1].To
	t.Logf("the first run (batch %s, %d steps) done; the arena grew %d times, to %d bytes", small, steps, len(g), first)

	// The limit: the arena as it is (the estimate of the next run may
	// have grown it for its scratch).
	p.Tune(settings(big))
	const memory = `document.querySelector('#tune-estimate dd:nth-of-type(3)').textContent`
	without := apptest.Eval[string](p, memory)
	p.Click("#tune-mlp")
	p.Set("tune-projection", mlp)
	memLine := apptest.Wait[string](p, "the estimate with the MLP", `!document.querySelector('.busy') && (m => m !== `+strconv.Quote(without)+` && m)(`+memory+`)`, time.Minute)
	limit := apptest.EvalWorker[int64](p, "engine-worker", `self.testMemoryLimit = self.testGrows.at(-1).to`)
	g = grows(p)
	p.Click("#nav-train")
	p.Click("#train-button")
	shown := apptest.Wait[string](p, "the error of the run", `document.querySelector('#step-train p.error')?.textContent`, time.Minute)
	var refused []grown
	for _, x := range grows(p) {
		if x.Refused {
			refused = append(refused, x)
		}
	}
	if len(refused) == 0 {
		p.Fail("the run of batch %s failed without asking the arena to grow past %d bytes: %q", big, limit, shown)
	}
	last := refused[len(refused)-1]
	t.Logf("limit %d bytes; the run of batch %s with the MLP (estimated: %s) asked to grow the arena from %d to %d bytes (%d more), refused (%d grows refused); the Train step says: %q",
		limit, big, memLine, last.From, last.To, last.To-last.From, len(refused), shown)
	p.Screenshot("out-of-memory")
	p.CheckAccessible("out-of-memory")
	if cur := apptest.Eval[string](p, `document.getElementById('nav-train').getAttribute('aria-current')`); cur != "step" {
		p.Fail("after the failure the page is not on the Train step (aria-current %q)", cur)
	}
	if !strings.HasPrefix(shown, "Out of memory") || !strings.Contains(shown, "use a smaller model, batch or sequence length") {
		p.Fail("the Train step says %q: want it to say that the memory ran out and what to do", shown)
	}
	if line := apptest.Eval[string](p, apptest.Progress); line != "Failed before the first step" {
		p.Fail("the progress line says %q after the failure, want that it failed before the first step", line)
	}

	// Nothing is lost: the first run's checkpoint is offered, the model
	// and the data are loaded, the settings are as set.
	offer := apptest.Wait[string](p, "the first run offered", `document.querySelector('#train-resume p')?.textContent`, 30*time.Second)
	if !strings.Contains(offer, "step "+strconv.Itoa(steps)+" of "+strconv.Itoa(steps)) {
		p.Fail("after the failure the page offers %q, want the first run saved at step %d", offer, steps)
	}
	p.Click("#nav-tune")
	b, e := apptest.Eval[string](p, `document.getElementById('tune-batch').value`), apptest.Eval[string](p, `document.getElementById('tune-projection')?.value`)
	if b != big || e != mlp {
		p.Fail("the batch size is %q and the MLP's %q after the failure, want the %s and %s that were set", b, e, big, mlp)
	}
	p.Click("#nav-data")
	if !apptest.Eval[bool](p, `!!document.getElementById('data-stats')`) {
		p.Fail("after the failure the Data step shows no loaded data")
	}

	// The engine still answers, with the model loaded: the first run opens
	// from its checkpoint, and the batch back at 4 trains to the end, under
	// the same limit.
	p.Click("#open-saved")
	opened := apptest.Wait[string](p, "the first run, opened", `((t, err) => t.startsWith('Done') ? t : err && 'error: ' + err)(`+
		apptest.Progress+`, document.querySelector('#train-resume p.error')?.textContent)`, 30*time.Second)
	if !strings.HasPrefix(opened, "Done") {
		p.Fail("after the failure, opening the first run (which fitted in %d bytes) under the same limit failed: %q", first, opened)
	}
	if n := apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points`); n != steps {
		p.Fail("the first run opened after the failure (%q) has %d steps on its chart, want %d", opened, n, steps)
	}
	p.Tune(settings(small))
	p.Click("#nav-train")
	p.Click("#train-button")
	end := apptest.Wait[string](p, "the end of the run of batch "+small, `(t => (t.startsWith('Done') || t.startsWith('Failed')) && t)(`+apptest.Progress+`)`, time.Minute)
	if !strings.HasPrefix(end, "Done") {
		p.Fail("after the failure, the run of batch %s under the same limit (%d bytes) ended %q: %q", small, limit, end, apptest.Eval[string](p, `document.querySelector('#step-train p.error')?.textContent`))
	}
	after := grows(p)
	if n := len(after) - len(g); n != len(refused) {
		p.Fail("the arena was asked to grow %d more times, %d refused: the run of batch %s, which fitted in %d bytes before, no longer does", n, len(refused), small, limit)
	}
	if n := apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points`); n != steps {
		p.Fail("the chart of the run after the failure has %d steps, want %d", n, steps)
	}
	p.Screenshot("trained-after")
	p.CheckCSP()
	t.Logf("after the failure, the run of batch %s trained its %d steps within the %d-byte limit", small, steps, limit)
}
