package reliability

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"prefixtune/tests/browser/apptest"
)

// TestPlantedNaN plants a NaN in the prefix before step 8 (the engine's
// plantNaN hook, through public/engine.js's start options): the step must
// be undone, the page must say so, and training must go on to the end with
// a finite loss that the chart draws without the undone step.
func TestPlantedNaN(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	const steps, planted = 24, 8
	srv := serve(t, web.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{Defaults: map[string]any{"test": map[string]any{"plantNaN": planted}}})
	p.LoadDemo()
	p.Sample("wordnet-definitions")
	p.Tune(map[string]string{"tune-steps": strconv.Itoa(steps)})
	p.Click("#nav-train")
	p.Click("#train-button")
	notice := apptest.Wait[string](p, "the notice of the undone step", `document.getElementById('train-recovered')?.textContent`, time.Minute)
	if !strings.Contains(notice, "Step "+strconv.Itoa(planted)+" came out not finite") {
		p.Fail("the page says %q, want that step %d was undone", notice, planted)
	}
	p.Screenshot("recovered")
	p.CheckAccessible("recovered")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, time.Minute)
	points := apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points`)
	loss, err := strconv.ParseFloat(p.Text("train-loss"), 64)
	if err != nil || !(loss > 0 && loss < 20) {
		p.Fail("the final loss shown is %q", p.Text("train-loss"))
	}
	if points != steps-1 {
		p.Fail("the chart draws %d steps, want the %d finite ones", points, steps-1)
	}
	if v := p.CSPViolations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
	t.Logf("NaN planted before step %d: the page said %q; the run went on to step %d with loss %.4f (%d finite steps drawn)", planted, notice, steps, loss, points)
}
