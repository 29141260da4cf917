package reliability

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"prefixtune/tests/browser/apptest"
)

// savedStep reads the step of the saved run the page offers.
var savedStep = regexp.MustCompile(`step (\d+) of (\d+)`)

// TestWorkerDeath kills the engine worker mid-epoch twice: silently
// (worker.terminate(), which the page hears nothing of, so the watchdog
// must notice the silence) and with an error event. Each time the page
// must say so, start a fresh engine, load the demo model into it and
// offer the run, which resumes from its last checkpoint with at most one
// checkpoint interval of steps lost, and the run must end with every step
// on the chart.
func TestWorkerDeath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	const steps, every = 60, 10
	srv := serve(t, web.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{Defaults: map[string]any{"silence": 2000}})
	p.LoadDemo()
	p.Sample("wordnet-definitions")
	p.Tune(map[string]string{"tune-steps": strconv.Itoa(steps), "tune-save-every": strconv.Itoa(every)})
	p.Click("#nav-train")
	p.Click("#train-button")

	kills := []struct {
		how, js, says string
	}{
		{"silently (terminate)", `w.terminate()`, "did not answer"},
		{"with an error event", `w.terminate(); w.dispatchEvent(new ErrorEvent('error', {message: 'killed by the test'}))`, "killed by the test"},
	}
	from := 0
	for i, k := range kills {
		// Between two checkpoints, a few steps past one.
		target := from + every + every/2 + 3
		apptest.Wait[bool](p, "step "+strconv.Itoa(target), `+document.getElementById('train-progress')?.dataset.step >= `+strconv.Itoa(target), time.Minute)
		seen := apptest.Eval[int](p, `(() => { const w = testWorkers[testWorkers.length - 1]; `+k.js+`; return +document.getElementById('train-progress').dataset.step; })()`)
		killed := time.Now()
		notice := apptest.Wait[string](p, "the notice that the engine stopped", `document.getElementById('engine-stopped')?.textContent`, 30*time.Second)
		noticed := time.Since(killed)
		if !strings.Contains(notice, "The engine stopped") || !strings.Contains(notice, k.says) {
			p.Fail("the notice says %q, want that the engine stopped and %q", notice, k.says)
		}
		p.Screenshot("stopped-" + strconv.Itoa(i+1))
		apptest.Wait[bool](p, "the saved run on the fresh engine", `document.getElementById('resume-saved')?.disabled === false`, time.Minute)
		restarted := time.Since(killed)
		line := p.Text("engine-restart")
		m := savedStep.FindStringSubmatch(line)
		if m == nil {
			p.Fail("after the restart the page says %q, want the step the run is saved at", line)
		}
		saved, _ := strconv.Atoi(m[1])
		lost := seen - saved
		t.Logf("kill %d %s at step %d: noticed after %.1f s, fresh engine with the model after %.1f s, resumed from step %d: %d steps lost (checkpoint every %d)",
			i+1, k.how, seen, noticed.Seconds(), restarted.Seconds(), saved, lost, every)
		if lost < 0 || lost > every {
			p.Fail("%d steps lost (the page had shown step %d, the run resumes from %d): want at most one checkpoint interval, %d", lost, seen, saved, every)
		}
		p.Screenshot("restarted-" + strconv.Itoa(i+1))
		p.Click("#resume-saved")
		apptest.Wait[bool](p, "the resumed run", apptest.Progress+`.startsWith('Step') && +document.getElementById('train-progress').dataset.step > `+strconv.Itoa(saved), time.Minute)
		if p.Text("engine-stopped") != "" {
			p.Fail("the notice stays after resuming")
		}
		from = saved
	}
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, time.Minute)
	if n := apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points`); n != steps {
		p.Fail("the chart has %d steps after two resumptions, want all %d", n, steps)
	}
	if v := p.CSPViolations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
	p.Screenshot("done")
	engines := apptest.Eval[int](p, `testWorkers.length`)
	t.Logf("%d engines started, the run's %d steps done in %.1f s", engines, steps, time.Since(start).Seconds())
	if engines != 1+len(kills) {
		t.Errorf("%d engine workers were started, want %d: the page took a busy engine for a dead one", engines, 1+len(kills))
	}
}
