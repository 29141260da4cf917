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

// sample is the sample dataset the flow trains on.
const sample = "wordnet-definitions"

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
	p.click("#data-load")
	wait[bool](p, "the statistics of the mapped data", `!!document.getElementById('data-stats') && document.getElementById('data-load').disabled === false`, time.Minute)
	heads := eval[string](p, `[...document.querySelectorAll('#data-preview th')].map(e => e.textContent).join('|')`)
	if heads != "prompt → prompt|completion → learnt" {
		p.fail("the preview's columns are %q, want prompt → prompt and completion → learnt", heads)
	}
	p.screenshot("data")

	// Tune: the quick preset, a few dozen steps.
	p.click("#nav-tune")
	p.click("#preset-quick")
	p.set("tune-steps", "36")
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

	// Compare: both models on the validation file, then generations.
	p.click("#nav-compare")
	p.click("#compare-button")
	wait[bool](p, "the comparison", `!!document.getElementById('compare-table') && !document.querySelector('.busy')`, 3*time.Minute)
	cell := func(col int) float64 {
		v, err := strconv.ParseFloat(eval[string](p, `document.querySelector('#compare-table tr[data-measure=loss] td:nth-of-type(`+strconv.Itoa(col)+`)').dataset.value`), 64)
		if err != nil {
			p.fail("the loss in the comparison table: %v", err)
		}
		return v
	}
	base, prefixed := cell(1), cell(2)
	if !(prefixed < base) {
		p.fail("the validation loss with the prefix (%g) is not below the base model's (%g)", prefixed, base)
	}
	if n := eval[int](p, `[...document.querySelectorAll('#compare-samples td.generated')].filter(e => e.textContent.trim()).length`); n < 2 {
		p.fail("the comparison generated %d texts, want base and prefixed for each held-out prompt", n)
	}
	p.screenshot("compare")

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

	// The native command scores the downloaded adapter as the page did.
	cmd := exec.Command("go", "run", "prefixtune/cmd/prefixtune", "eval", "--model", model,
		"--data", filepath.Join(root, "public", "datasets", sample, "validation.jsonl"), "--adapter", adapter, "--seq-len", seqLen, "--json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("prefixtune eval: %v\n%s", err, out)
	}
	var native struct{ Loss float64 }
	if err := json.Unmarshal(out, &native); err != nil {
		t.Fatalf("prefixtune eval printed %q: %v", out, err)
	}
	t.Logf("validation loss: page %.6f (base %.6f, after training %.6f), prefixtune eval %.6f", prefixed, base, trainVal, native.Loss)
	if math.Abs(native.Loss-prefixed) > 1e-5*math.Abs(prefixed) {
		t.Errorf("prefixtune eval reports a validation loss of %.7f for the downloaded adapter, the page %.7f", native.Loss, prefixed)
	}
	if math.Abs(native.Loss-trainVal) > 1e-3 {
		t.Errorf("the run's last validation loss %.4f differs from prefixtune eval's %.4f", trainVal, native.Loss)
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
