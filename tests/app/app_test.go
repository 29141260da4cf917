package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/browsertest"
)

// sample is the sample dataset the flow trains on, and template the prompt
// template it is read with.
const (
	sample   = "wordnet-definitions"
	template = `Dictionary.\n{prompt}`
)

func TestFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	root, err := browsertest.Root()
	if err != nil {
		t.Fatal(err)
	}
	siteDir, model := buildSite(t)
	srv := serve(t, siteDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()

	// The page, the engine and the sample datasets.
	p := open(t, ctx, srv.URL+"/")
	downloads := t.TempDir()
	progress := chromedp.Events(p.ctx, browser.DownloadProgress) // sent to the session that allows downloads
	p.do("allowing downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		yes := true
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &yes})
		return err
	}))
	p.screenshot("start")

	// Model: the bundled demo model.
	p.click(`#model-source input[value="demo"]`)
	p.click("#model-load")
	loadedModel(p)
	p.click("#nav-model")
	p.screenshot("model")
	loaded := time.Now()
	sentAtLoad := len(p.requestsSent())

	// Data: a sample dataset, its fields mapped to prompt and completion.
	p.click("#nav-data")
	p.click("#sample-" + sample)
	wait[bool](p, "the token statistics", `!!document.getElementById('data-stats')`, time.Minute)
	p.set("data-mode", "pair")
	p.set("data-prompt", "prompt")
	p.set("data-completion", "completion")
	p.set("data-template", template)
	if got := p.text("data-formatted"); !strings.Contains(got, "Dictionary.\nword: ") {
		p.fail("the first row as the model reads it is %q, want it written into the template", got)
	}
	p.click("#data-load")
	wait[bool](p, "the statistics of the mapped data", `!!document.getElementById('data-stats') && document.getElementById('data-load').disabled === false`, time.Minute)
	heads := eval[string](p, `[...document.querySelectorAll('#data-preview th')].map(e => e.textContent).join('|')`)
	if heads != "prompt → prompt|completion → learnt" {
		p.fail("the preview's columns are %q, want prompt → prompt and completion → learnt", heads)
	}
	p.screenshot("data")

	// Tune: the quick preset, a few dozen steps on one thread.
	p.click("#nav-tune")
	if n := eval[int](p, `document.querySelectorAll('.presets button').length`); n != 7 {
		p.fail("%d presets, want core/tune/presets' 7", n)
	}
	p.click("#preset-generation-mlp")
	if lr := eval[string](p, `document.getElementById('tune-lr').value`); lr != "5e-05" {
		p.fail("the generation preset with the MLP sets the learning rate %s, want 5e-05", lr)
	}
	p.click("#preset-quick")
	p.set("tune-steps", "36")
	p.set("tune-threads", "1")
	wait[bool](p, "the estimate", `document.getElementById('tune-estimate').textContent.includes('steps in')`, time.Minute)
	seqLen := eval[string](p, `document.getElementById('tune-seq-len').value`)
	p.screenshot("tune")

	// Train: the chart updates while the loss falls.
	p.click("#nav-train")
	p.click("#train-button")
	points := func() int { return eval[int](p, `+document.getElementById('loss-chart').dataset.points || 0`) }
	first := wait[int](p, "the first steps on the chart", `+document.getElementById('loss-chart').dataset.points || 0`, time.Minute)
	var seen []int
	for n := first; n < 36; n = points() {
		if len(seen) == 0 || seen[len(seen)-1] != n {
			seen = append(seen, n)
		}
		if len(seen) == 3 {
			p.screenshot("training")
		}
		time.Sleep(200 * time.Millisecond)
		if ctx.Err() != nil {
			p.fail("training did not finish")
		}
	}
	if len(seen) < 3 {
		p.fail("the chart showed %v steps while training: it should update as the run goes", seen)
	}
	wait[bool](p, "the end of the run", `document.querySelector('label[for=train-progress]').textContent.startsWith('Done')`, time.Minute)
	firstLoss := eval[float64](p, `+document.getElementById('loss-chart').dataset.first`)
	lastLoss := eval[float64](p, `+document.getElementById('loss-chart').dataset.last`)
	if !(lastLoss < firstLoss) {
		p.fail("the smoothed loss went from %g to %g: it should fall", firstLoss, lastLoss)
	}
	trainVal, err := strconv.ParseFloat(p.text("train-val-loss"), 64)
	if err != nil {
		p.fail("the validation loss after training: %v", err)
	}
	t.Logf("chart updates %v; smoothed loss %.4f -> %.4f; validation loss %.4f", seen, firstLoss, lastLoss, trainVal)
	p.screenshot("trained")

	if speed := p.text("train-speed"); !strings.HasSuffix(speed, "on 1 thread") {
		p.fail("the run's speed reads %q, want it on the 1 thread set in Tune", speed)
	}

	// Compare: the base model zero-shot and 3-shot and the prefix on the
	// test file, with the generation metrics and samples.
	p.click("#nav-compare")
	p.click("#compare-button")
	wait[bool](p, "the evaluation's progress", `!!document.getElementById('compare-progress') || !!document.getElementById('compare-table')`, time.Minute)
	wait[bool](p, "the comparison", `!!document.getElementById('compare-table') && !document.querySelector('.busy')`, 4*time.Minute)
	kinds := eval[string](p, `[...document.querySelectorAll('#compare-table th[data-kind]')].map(e => e.dataset.kind).join(' ')`)
	if kinds != "zero-shot few-shot prefix" {
		p.fail("the comparison's columns are %q, want zero-shot, few-shot and prefix", kinds)
	}
	measures := eval[string](p, `[...document.querySelectorAll('#compare-table tr[data-measure]')].map(e => e.dataset.measure).join(' ')`)
	if measures != "examples tokens loss perplexity bleu rouge-l exact-match" {
		p.fail("the comparison's measures are %q", measures)
	}
	cell := func(measure string, col int) float64 {
		v, err := strconv.ParseFloat(eval[string](p, `document.querySelector('#compare-table tr[data-measure=`+measure+`] td:nth-of-type(`+strconv.Itoa(col)+`)').dataset.value`), 64)
		if err != nil {
			p.fail("the %s in the comparison table: %v", measure, err)
		}
		return v
	}
	var pageLoss, pageBLEU [3]float64
	for i := range 3 {
		pageLoss[i], pageBLEU[i] = cell("loss", i+1), cell("bleu", i+1)
	}
	if !(pageLoss[2] < pageLoss[0]) {
		p.fail("the test loss with the prefix (%g) is not below the base model's zero-shot (%g)", pageLoss[2], pageLoss[0])
	}
	if n := eval[int](p, `[...document.querySelectorAll('#compare-samples td.generated')].filter(e => e.textContent.trim()).length`); n < 3*3 {
		p.fail("the comparison shows %d generated samples, want three models' outputs for each of its prompts", n)
	}
	if !strings.Contains(p.text("compare-params"), "of the model") {
		p.fail("the comparison does not say what share of the model the prefix is: %q", p.text("compare-params"))
	}
	p.screenshot("compare")
	p.do("a narrow window", chromedp.EmulateViewport(420, 900))
	p.screenshot("compare-narrow")
	p.do("a wide window", chromedp.EmulateViewport(1920, 1080))
	p.screenshot("compare-wide")
	p.do("the usual window", chromedp.EmulateViewport(1366, 900))

	// Try: both models continue a prompt.
	p.click("#nav-try")
	p.set("try-prompt", "word: water\ndefinition:")
	p.click("#try-button")
	wait[bool](p, "the generations", `document.getElementById('try-prefixed').textContent.length > 0 && !document.querySelector('.busy')`, time.Minute)
	p.screenshot("try")

	// Download: the adapter zip.
	p.click("#nav-download")
	p.click("#download-button")
	var zipPath string
	for ev, err := range progress {
		if err != nil {
			p.fail("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			zipPath = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	p.screenshot("download")
	adapter := t.TempDir()
	names := unzipTo(t, zipPath, adapter)
	if strings.Join(names, " ") != "README.md adapter_config.json adapter_model.safetensors" {
		t.Errorf("the zip holds %v", names)
	}

	// The zip loads back as a prefix.
	named := filepath.Join(t.TempDir(), "adapter.zip")
	if err := os.Rename(zipPath, named); err != nil {
		t.Fatal(err)
	}
	p.do("picking the adapter", chromedp.SetUploadFiles(chromedp.CSS("#adapter-file"), []string{named}))
	wait[bool](p, "the loaded prefix", `document.querySelector('#step-download .ok:last-of-type')?.textContent.startsWith('Loaded a prefix of 5 virtual tokens')`, time.Minute)
	p.screenshot("loaded-back")
	p.checkCSP()

	// The native command scores the downloaded adapter as the page did:
	// prefixtune eval --baselines on the test file, and the validation loss
	// of the run.
	native := func(args ...string) []struct {
		Name string
		Loss struct{ Point float64 }
		BLEU *struct{ Point float64 }
	} {
		args = append([]string{"run", "prefixtune/cmd/prefixtune", "eval", "--model", model, "--adapter", adapter,
			"--template", template, "--seq-len", seqLen, "--json"}, args...)
		out, err := exec.Command("go", args...).Output()
		if err != nil {
			t.Fatalf("prefixtune eval: %v\n%s", err, out)
		}
		var res struct {
			Reports []struct {
				Name string
				Loss struct{ Point float64 }
				BLEU *struct{ Point float64 }
			}
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("prefixtune eval printed %q: %v", out, err)
		}
		return res.Reports
	}
	ds := filepath.Join(root, "public", "datasets", sample)
	reps := native("--data", filepath.Join(ds, "test.jsonl"), "--baselines", "--shots", "3", "--train", filepath.Join(ds, "train.jsonl"), "--generate")
	if len(reps) != 3 {
		t.Fatalf("prefixtune eval --baselines gave %d reports, want 3", len(reps))
	}
	for i, r := range reps {
		t.Logf("test split, %s: loss page %.6f, prefixtune eval %.6f; BLEU page %.2f, prefixtune eval %.2f", r.Name, pageLoss[i], r.Loss.Point, pageBLEU[i], r.BLEU.Point)
		if math.Abs(r.Loss.Point-pageLoss[i]) > 1e-5*math.Abs(r.Loss.Point) {
			t.Errorf("%s: prefixtune eval reports a test loss of %.7f, the page %.7f", r.Name, r.Loss.Point, pageLoss[i])
		}
		// Greedy outputs may differ where two tokens tie within float
		// rounding across devices: BLEU within a point.
		if math.Abs(r.BLEU.Point-pageBLEU[i]) > 1 {
			t.Errorf("%s: prefixtune eval reports BLEU %.2f, the page %.2f", r.Name, r.BLEU.Point, pageBLEU[i])
		}
	}
	val := native("--data", filepath.Join(ds, "validation.jsonl"))[0].Loss.Point
	t.Logf("validation loss after training: page %.6f, prefixtune eval %.6f", trainVal, val)
	if math.Abs(val-trainVal) > 1e-3 {
		t.Errorf("the run's last validation loss %.4f differs from prefixtune eval's %.4f", trainVal, val)
	}

	checkRequests(t, srv.requests(), p.requestsSent(), sentAtLoad, loaded, filepath.Join(root, "public", "datasets", sample, "train.jsonl"))
}

// checkRequests checks what the server received and what the tab sent
// (the first atLoad of them before the model had loaded): nothing after
// the page and the model had loaded, and never a body or any of the
// dataset's text.
func checkRequests(t *testing.T, got []request, sent []*network.EventRequestWillBeSent, atLoad int, loaded time.Time, data string) {
	t.Helper()
	rows := datasetStrings(t, data)
	carries := func(u string, h map[string][]string) string {
		u, _ = url.PathUnescape(u)
		for _, s := range rows {
			if strings.Contains(u, s) || headersContain(h, s) {
				return s
			}
		}
		return ""
	}
	for _, r := range got {
		if r.At.After(loaded) {
			t.Errorf("the server got %s %s after the page and the model had loaded", r.Method, r.URL)
		}
		if len(r.Body) > 0 || (r.Method != "GET" && r.Method != "HEAD") {
			t.Errorf("the server got %s %s with a %d-byte body", r.Method, r.URL, len(r.Body))
		}
		if s := carries(r.URL, r.Header); s != "" {
			t.Errorf("the request %s %s carries the dataset's text %q", r.Method, r.URL, s)
		}
	}
	for i, ev := range sent {
		r := ev.Request
		h := map[string][]string{}
		for k, v := range r.Headers {
			h[k] = []string{fmt.Sprint(v)}
		}
		if s := carries(r.URL, h); s != "" || r.HasPostData {
			t.Errorf("the tab sent %s %s with a body (%v) or the dataset's text %q", r.Method, r.URL, r.HasPostData, s)
		}
		if i >= atLoad && !strings.HasPrefix(r.URL, "blob:") && !strings.HasPrefix(r.URL, "data:") { // blob: is the download, in the page
			t.Errorf("after the page and the model had loaded, the tab requested %s %s", r.Method, r.URL)
		}
	}
	t.Logf("the server got %d requests and the tab sent %d, all before the model had loaded; none carries the data", len(got), len(sent))
}

// datasetStrings returns the completions of the first rows of a JSON Lines
// dataset: text that must never be in a request.
func datasetStrings(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(out) < 20 {
		var row struct{ Completion string }
		if json.Unmarshal(sc.Bytes(), &row) == nil && len(strings.TrimSpace(row.Completion)) >= 8 {
			out = append(out, strings.TrimSpace(row.Completion))
		}
	}
	return out
}

func headersContain(h map[string][]string, s string) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}
