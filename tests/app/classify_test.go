package app

import (
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"prefixtune/tests/browser/apptest"
	"prefixtune/tests/browser/browsertest"
)

// TestClassification reads a sample dataset as a text and its label,
// trains a few steps, and compares: the table holds the accuracy and
// macro-F1 of the most likely label for the base model and the prefix,
// which `prefixtune eval --baselines --labels auto` reports too for the
// downloaded adapter.
func TestClassification(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	const sample = "fortune-categories"
	root, err := browsertest.Root()
	if err != nil {
		t.Fatal(err)
	}
	siteDir, model := buildSite(t)
	srv := serve(t, siteDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p := open(t, ctx, srv.URL+"/")
	download := allowDownloads(t, p)
	p.LoadDemo()
	p.Sample(sample)
	p.Set("data-mode", "label")
	if got := p.Text("data-formatted"); !strings.Contains(got, "Category:") {
		p.Fail("the first row reads %q", got)
	}
	p.Click("#data-load")
	apptest.Wait[bool](p, "the statistics", `!!document.getElementById('data-stats') && !document.querySelector('.busy')`, time.Minute)
	if got := p.Text("data-labels"); !strings.HasPrefix(got, "6 distinct labels") {
		p.Fail("the Data step counts the labels as %q, want 6", got)
	}
	p.Tune(map[string]string{"tune-steps": "8", "tune-seq-len": "96"})
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, 2*time.Minute)

	p.Click("#nav-compare")
	if apptest.Eval[bool](p, `!!document.getElementById('compare-max-new')`) {
		p.Fail("Compare offers tokens per output for a classification task, which generates nothing")
	}
	p.Set("compare-shots", "0") // TestFlow covers the few-shot baseline
	p.Click("#compare-button")
	apptest.Wait[bool](p, "the comparison", `!!document.getElementById('compare-table') && !document.querySelector('.busy')`, 2*time.Minute)
	measures := apptest.Eval[string](p, `[...document.querySelectorAll('#compare-table tr[data-measure]')].map(e => e.dataset.measure).join(' ')`)
	if measures != "examples tokens loss perplexity accuracy macro-f1" {
		p.Fail("the comparison's measures are %q, want loss, accuracy and macro-F1", measures)
	}
	cell := func(measure string, col int) float64 {
		v, err := strconv.ParseFloat(apptest.Eval[string](p, `document.querySelector('#compare-table tr[data-measure=`+measure+`] td:nth-of-type(`+strconv.Itoa(col)+`)').dataset.value`), 64)
		if err != nil {
			p.Fail("the %s in the comparison table: %v", measure, err)
		}
		return v
	}
	var page [2][3]float64 // loss, accuracy, macro-F1 of each model
	for i := range page {
		page[i] = [3]float64{cell("loss", i+1), cell("accuracy", i+1), cell("macro-f1", i+1)}
	}
	p.Screenshot("classification")

	p.Click("#nav-download")
	p.Click("#download-button")
	adapter := t.TempDir()
	unzipTo(t, download(), adapter)
	ds := filepath.Join(root, "public", "datasets", sample)
	out, err := exec.Command("go", "run", "prefixtune/cmd/prefixtune", "eval", "--model", model, "--adapter", adapter, "--seq-len", "96",
		"--data", filepath.Join(ds, "test.jsonl"), "--baselines", "--labels", "auto", "--json").Output()
	if err != nil {
		t.Fatalf("prefixtune eval: %v\n%s", err, out)
	}
	var res struct {
		Reports []struct {
			Name     string
			Loss     struct{ Point float64 }
			Accuracy struct{ Point float64 }
			MacroF1  struct{ Point float64 } `json:"macro_f1"`
		}
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.Reports) != 2 {
		t.Fatalf("prefixtune eval printed %s (%v), want 2 reports", out, err)
	}
	for i, r := range res.Reports {
		loss, acc, f1 := page[i][0], page[i][1], page[i][2]
		t.Logf("%s: loss %.6f (native %.6f), accuracy %.3f (native %.3f), macro-F1 %.3f (native %.3f)", r.Name, loss, r.Loss.Point, acc, r.Accuracy.Point, f1, r.MacroF1.Point)
		if math.Abs(loss-r.Loss.Point) > 1e-5*loss || acc != r.Accuracy.Point || math.Abs(f1-r.MacroF1.Point) > 1e-12 {
			t.Errorf("%s: the page and prefixtune eval differ", r.Name)
		}
	}
}
