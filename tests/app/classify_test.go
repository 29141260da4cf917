package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/apptest"
)

// TestClassification reads the person's own CSV as a text and its label,
// with a prompt template and a test share held out of it, trains a few
// steps and compares: the table holds the accuracy and macro-F1 of the most
// likely label for the base model and the prefix, which `prefixtune eval
// --baselines --labels auto` reports too for the downloaded adapter on the
// same test rows (`prefixtune split` holds out the same ones by the seed).
func TestClassification(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	const template = `Review: {prompt}\nVerdict:`
	siteDir, model := web.Build(t)
	srv := serve(t, siteDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p := open(t, ctx, srv.URL+"/")
	download := allowDownloads(t, p)
	p.LoadDemo()
	p.Sample("wordnet-definitions") // with its test file, which the CSV below replaces by a share

	// 40 short reviews, each good or bad.
	dir := t.TempDir()
	reviews := filepath.Join(dir, "reviews.csv")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"review", "verdict"})
	good, bad := []string{"a fine meal", "kind staff", "a lovely room", "great music", "warm bread"}, []string{"a cold meal", "rude staff", "a dirty room", "loud music", "stale bread"}
	for i := range 40 {
		if i%2 == 0 {
			w.Write([]string{fmt.Sprintf("%s, table %d", good[i/2%5], i), "good"})
		} else {
			w.Write([]string{fmt.Sprintf("%s, table %d", bad[i/2%5], i), "bad"})
		}
	}
	w.Flush()
	if err := os.WriteFile(reviews, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p.Do("picking the data file", chromedp.SetUploadFiles(chromedp.CSS("#data-file"), []string{reviews}))
	apptest.Wait[bool](p, "the preview", `!!document.getElementById('data-preview')`, 30*time.Second)
	p.Set("data-mode", "label")
	p.Set("data-prompt", "review")
	p.Set("data-completion", "verdict")
	p.Set("data-template", template)
	p.Set("data-test-fraction", "25")
	if got := p.Text("data-formatted"); !strings.Contains(got, "Review: a fine meal, table 0\nVerdict:good") {
		p.Fail("the first row reads %q", got)
	}
	p.Click("#data-load")
	apptest.Wait[bool](p, "the statistics", `!!document.getElementById('data-stats') && !document.querySelector('.busy')`, time.Minute)
	if got := p.Text("data-labels"); !strings.HasPrefix(got, "2 distinct labels") {
		p.Fail("the Data step counts the labels as %q, want 2", got)
	}
	seqLen := apptest.Eval[string](p, `document.getElementById('data-seq-len').value`)
	p.Tune(map[string]string{"tune-steps": "6"})
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, time.Minute)

	p.Click("#nav-compare")
	if apptest.Eval[bool](p, `!!document.getElementById('compare-max-new')`) {
		p.Fail("Compare offers tokens per output for a classification task, which generates nothing")
	}
	p.Set("compare-shots", "0") // TestFlow covers the few-shot baseline
	p.Click("#compare-button")
	apptest.Wait[bool](p, "the comparison", `!!document.getElementById('compare-table') && !document.querySelector('.busy')`, time.Minute)
	measures := apptest.Eval[string](p, `[...document.querySelectorAll('#compare-table tr[data-measure]')].map(e => e.dataset.measure).join(' ')`)
	if measures != "examples tokens loss perplexity accuracy macro-f1" {
		p.Fail("the comparison's measures are %q, want loss, accuracy and macro-F1", measures)
	}
	if about := p.Text("compare-about"); !strings.Contains(about, "25 % of the training file held out for testing") {
		p.Fail("Compare says it scored %q, want the test share", about)
	}
	var page [2][3]float64 // loss, accuracy, macro-F1 of each model
	for i := range page {
		page[i] = [3]float64{p.CompareCell("loss", i+1), p.CompareCell("accuracy", i+1), p.CompareCell("macro-f1", i+1)}
	}
	p.Screenshot("classification")
	p.CheckAccessible("classification")

	p.Click("#nav-download")
	p.Click("#download-button")
	adapter := t.TempDir()
	unzipTo(t, download(), adapter)
	prefixtune := func(args ...string) []byte {
		out, err := exec.Command("go", append([]string{"run", "prefixtune/cmd/prefixtune"}, args...)...).Output()
		if err != nil {
			t.Fatalf("prefixtune %s: %v\n%s", args[0], err, out)
		}
		return out
	}
	test := filepath.Join(dir, "test.jsonl")
	prefixtune("split", "--data", reviews, "--prompt-column", "review", "--completion-column", "verdict", "--val-frac", "0.25", "--seed", "0",
		"--train-out", filepath.Join(dir, "train.jsonl"), "--val-out", test)
	out := prefixtune("eval", "--model", model, "--adapter", adapter, "--template", template, "--seq-len", seqLen, "--data", test,
		"--baselines", "--labels", "auto", "--json")
	var res struct {
		Reports []struct {
			Name     string
			Examples int
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
		t.Logf("%s on %d test rows: loss %.6f (native %.6f), accuracy %.3f (native %.3f), macro-F1 %.3f (native %.3f)", r.Name, r.Examples, loss, r.Loss.Point, acc, r.Accuracy.Point, f1, r.MacroF1.Point)
		if math.Abs(loss-r.Loss.Point) > 1e-5*loss || acc != r.Accuracy.Point || math.Abs(f1-r.MacroF1.Point) > 1e-12 {
			t.Errorf("%s: the page and prefixtune eval differ", r.Name)
		}
	}
}
