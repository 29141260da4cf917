package reliability

import (
	"context"
	"testing"
	"time"

	"prefixtune/core/protocol"
	"prefixtune/tests/browser/apptest"
)

// progressLog keeps every training Progress the engine worker posts (the
// hooks keep the page's workers in testWorkers).
const progressLog = `(() => { window.progressSeen = [];
	testWorkers[0].addEventListener('message', (ev) => {
		if (typeof ev.data !== 'string') return;
		const m = JSON.parse(ev.data);
		if (m.type === 'progress' && m.body.phase === 'train') progressSeen.push(ev.data);
	}); })()`

// TestProgressInsideSteps: with the least time between two Progress events
// forced to 0 (the engine's progressMs hook), the engine posts progress
// from inside every step (between its matrix products), without a step's
// log, and how far the step has come grows within each step after the
// first; the page shows it. No timing is asserted: only the events that
// were posted are counted.
func TestProgressInsideSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	const steps = 3
	srv := serve(t, web.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{Defaults: map[string]any{"test": map[string]any{"progressMs": 0}}})
	p.LoadDemo()
	p.Sample("wordnet-definitions")
	p.Tune(map[string]string{"tune-steps": "3"})
	p.Click("#nav-train")
	apptest.Eval[bool](p, progressLog+` || true`)
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, time.Minute)
	var events []protocol.Progress
	for _, text := range apptest.Eval[[]string](p, `window.progressSeen`) {
		_, ev, err := protocol.DecodeEvent([]byte(text))
		if err != nil {
			t.Fatalf("the engine posted %s: %v", text, err)
		}
		events = append(events, ev.(protocol.Progress))
	}
	inside := make([]int, steps) // progress from inside step i+1, by i
	last := make([]float64, steps)
	for _, e := range events {
		if len(e.Log) > 0 || e.Step >= steps {
			continue
		}
		inside[e.Step]++
		if e.Step > 0 && e.Within < last[e.Step] {
			t.Errorf("inside step %d, progress went back from %.3f to %.3f", e.Step+1, last[e.Step], e.Within)
		}
		last[e.Step] = e.Within
	}
	for i, n := range inside {
		// 4 layers: every step makes at least 8 matrix products forward
		// and as many backward.
		if n < 16 {
			t.Errorf("step %d: %d progress events from inside it, want one after each of its matrix products (at least 16)", i+1, n)
		}
		if i > 0 && !(last[i] > 0.5) {
			t.Errorf("step %d: progress inside it reached %.3f of the step, want most of it", i+1, last[i])
		}
	}
	t.Logf("%d training progress events; from inside steps 1..%d: %v, the last at %.2f, %.2f, %.2f of its step", len(events), steps, inside, last[0], last[1], last[2])
}
