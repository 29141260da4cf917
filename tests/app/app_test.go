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

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/apptest"
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
	siteDir, model := web.Build(t)
	srv := serve(t, siteDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()

	// The page, the engine and the sample datasets.
	p := open(t, ctx, srv.URL+"/")
	download := allowDownloads(t, p)
	p.Screenshot("start")
	p.CheckAccessible("start")

	// Model: the bundled demo model.
	p.Click(`#model-source input[value="demo"]`)
	p.Click("#model-load")
	p.LoadedModel()
	p.Click("#nav-model")
	p.Screenshot("model")
	p.CheckAccessible("model")
	loaded := time.Now()
	sentAtLoad := len(p.RequestsSent())

	// Data: a sample dataset, its fields mapped to prompt and completion.
	p.Click("#nav-data")
	p.Click("#sample-" + sample)
	apptest.Wait[bool](p, "the token statistics", `!!document.getElementById('data-stats')`, time.Minute)
	p.Set("data-mode", "pair")
	p.Set("data-prompt", "prompt")
	p.Set("data-completion", "completion")
	p.Set("data-template", template)
	if got := p.Text("data-formatted"); !strings.Contains(got, "Dictionary.\nword: ") || !strings.HasSuffix(strings.TrimSpace(got), "<|endoftext|>") {
		p.Fail("the first row as the model reads it is %q, want it written into the template and GPT-2's end-of-text token after it", got)
	}
	p.Click("#data-load")
	apptest.Wait[bool](p, "the statistics of the mapped data", `!!document.getElementById('data-stats') && document.getElementById('data-load').disabled === false`, time.Minute)
	heads := apptest.Eval[string](p, `[...document.querySelectorAll('#data-preview th')].map(e => e.textContent).join('|')`)
	if heads != "prompt → prompt|completion → learnt" {
		p.Fail("the preview's columns are %q, want prompt → prompt and completion → learnt", heads)
	}
	p.Screenshot("data")
	p.CheckAccessible("data")

	// Tune: the quick preset, a few dozen steps on one thread.
	p.Click("#nav-tune")
	if n := apptest.Eval[int](p, `document.querySelectorAll('.presets button').length`); n != 7 {
		p.Fail("%d presets, want core/tune/presets' 7", n)
	}
	p.Click("#preset-generation-mlp")
	if lr := apptest.Eval[string](p, `document.getElementById('tune-lr').value`); lr != "5e-05" {
		p.Fail("the generation preset with the MLP sets the learning rate %s, want 5e-05", lr)
	}
	p.Click("#preset-quick")
	p.Set("tune-steps", "36")
	p.Set("tune-threads", "1")
	apptest.Wait[bool](p, "the estimate", `document.getElementById('tune-estimate').textContent.includes('steps in')`, time.Minute)
	seqLen := apptest.Eval[string](p, `document.getElementById('tune-seq-len').value`)
	p.Screenshot("tune")
	p.CheckAccessible("tune")

	// Train: the chart updates while the loss falls.
	p.Click("#nav-train")
	p.Click("#train-button")
	points := func() int { return apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points || 0`) }
	first := apptest.Wait[int](p, "the first steps on the chart", `+document.getElementById('loss-chart').dataset.points || 0`, time.Minute)
	var seen []int
	for n := first; n < 36; n = points() {
		if len(seen) == 0 || seen[len(seen)-1] != n {
			seen = append(seen, n)
		}
		if len(seen) == 3 {
			p.Screenshot("training")
			p.CheckAccessible("training")
		}
		time.Sleep(200 * time.Millisecond)
		if ctx.Err() != nil {
			p.Fail("training did not finish")
		}
	}
	if len(seen) < 3 {
		p.Fail("the chart showed %v steps while training: it should update as the run goes", seen)
	}
	apptest.Wait[bool](p, "the end of the run", `document.querySelector('label[for=train-progress]').textContent.startsWith('Done')`, time.Minute)
	if got := p.Text("train-status"); got != "Done: 36 steps" {
		p.Fail("the status read to screen readers at the end of the run is %q, want %q", got, "Done: 36 steps")
	}
	firstLoss := apptest.Eval[float64](p, `+document.getElementById('loss-chart').dataset.first`)
	lastLoss := apptest.Eval[float64](p, `+document.getElementById('loss-chart').dataset.last`)
	if !(lastLoss < firstLoss) {
		p.Fail("the smoothed loss went from %g to %g: it should fall", firstLoss, lastLoss)
	}
	trainVal, err := strconv.ParseFloat(p.Text("train-val-loss"), 64)
	if err != nil {
		p.Fail("the validation loss after training: %v", err)
	}
	t.Logf("chart updates %v; smoothed loss %.4f -> %.4f; validation loss %.4f", seen, firstLoss, lastLoss, trainVal)
	p.Screenshot("trained")
	p.CheckAccessible("trained")
	p.ColorScheme("dark")
	p.CheckAccessible("trained-dark")
	p.ColorScheme("light")

	if speed := p.Text("train-speed"); !strings.HasSuffix(speed, "on 1 thread") {
		p.Fail("the run's speed reads %q, want it on the 1 thread set in Tune", speed)
	}

	// Compare: the base model zero-shot and 3-shot and the prefix on the
	// test file, with the generation metrics and samples.
	p.Click("#nav-compare")
	p.Set("compare-max-new", "16")
	p.Click("#compare-button")
	p.Click("#compare-stop") // a long evaluation can be stopped
	apptest.Wait[bool](p, "the stopped evaluation", `document.querySelector('#step-compare .error')?.textContent.startsWith('Stopped')`, time.Minute)
	p.Click("#compare-button")
	apptest.Wait[bool](p, "the evaluation's progress", `!!document.getElementById('compare-progress') || !!document.getElementById('compare-table')`, time.Minute)
	apptest.Wait[bool](p, "the comparison", `!!document.getElementById('compare-table') && !document.querySelector('.busy')`, 4*time.Minute)
	kinds := apptest.Eval[string](p, `[...document.querySelectorAll('#compare-table th[data-kind]')].map(e => e.dataset.kind).join(' ')`)
	if kinds != "zero-shot few-shot prefix" {
		p.Fail("the comparison's columns are %q, want zero-shot, few-shot and prefix", kinds)
	}
	measures := apptest.Eval[string](p, `[...document.querySelectorAll('#compare-table tr[data-measure]')].map(e => e.dataset.measure).join(' ')`)
	if measures != "examples tokens loss perplexity bleu rouge-l exact-match" {
		p.Fail("the comparison's measures are %q", measures)
	}
	var pageLoss, pageBLEU [3]float64
	for i := range 3 {
		pageLoss[i], pageBLEU[i] = p.CompareCell("loss", i+1), p.CompareCell("bleu", i+1)
	}
	if !(pageLoss[2] < pageLoss[0]) {
		p.Fail("the test loss with the prefix (%g) is not below the base model's zero-shot (%g)", pageLoss[2], pageLoss[0])
	}
	if n := apptest.Eval[int](p, `[...document.querySelectorAll('#compare-samples td.generated')].filter(e => e.textContent.trim()).length`); n < 3*3 {
		p.Fail("the comparison shows %d generated samples, want three models' outputs for each of its prompts", n)
	}
	samplePrefixed := apptest.Eval[string](p, `document.querySelector('#compare-samples tbody tr td:last-child').textContent`)
	if !strings.Contains(p.Text("compare-params"), "of the model") {
		p.Fail("the comparison does not say what share of the model the prefix is: %q", p.Text("compare-params"))
	}
	p.Screenshot("compare")
	p.CheckAccessible("compare")
	p.Do("a narrow window", chromedp.EmulateViewport(420, 900))
	p.Screenshot("compare-narrow")
	p.Do("a wide window", chromedp.EmulateViewport(1920, 1080))
	p.Screenshot("compare-wide")
	p.Do("the usual window", chromedp.EmulateViewport(1366, 900))
	p.ColorScheme("dark")
	p.Screenshot("compare-dark")
	p.CheckAccessible("compare-dark")
	p.ColorScheme("light")

	// Try: both models continue a prompt.
	p.Click("#nav-try")
	p.Set("try-prompt", "word: water\ndefinition:")
	p.Click("#try-button")
	apptest.Wait[bool](p, "the generations", `document.getElementById('try-prefixed').textContent.length > 0 && !document.querySelector('.busy')`, time.Minute)
	p.Screenshot("try")
	p.CheckAccessible("try")

	// Download: the adapter zip.
	p.Click("#nav-download")
	p.Click("#download-button")
	zipPath := download()
	p.Screenshot("download")
	p.CheckAccessible("download")
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
	p.Do("picking the adapter", chromedp.SetUploadFiles(chromedp.CSS("#adapter-file"), []string{named}))
	apptest.Wait[bool](p, "the loaded prefix", `document.querySelector('#step-download .ok:last-of-type')?.textContent.startsWith('Loaded a prefix of 5 virtual tokens')`, time.Minute)
	p.Screenshot("loaded-back")
	p.CheckCSP()

	// The native command scores the downloaded adapter as the page did:
	// prefixtune eval --baselines on the test file (losses: generating every
	// prompt natively would take minutes), prefixtune generate for the
	// first sample, and the validation loss of the run.
	prefixtune := func(args ...string) []byte {
		out, err := exec.Command("go", append([]string{"run", "prefixtune/cmd/prefixtune"}, args...)...).Output()
		if err != nil {
			t.Fatalf("prefixtune %s: %v\n%s", args[0], err, out)
		}
		return out
	}
	native := func(args ...string) []struct {
		Name string
		Loss struct{ Point float64 }
	} {
		out := prefixtune(append([]string{"eval", "--model", model, "--adapter", adapter, "--template", template, "--seq-len", seqLen, "--json"}, args...)...)
		var res struct {
			Reports []struct {
				Name string
				Loss struct{ Point float64 }
			}
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("prefixtune eval printed %q: %v", out, err)
		}
		return res.Reports
	}
	ds := filepath.Join(root, "public", "datasets", sample)
	reps := native("--data", filepath.Join(ds, "test.jsonl"), "--baselines", "--shots", "3", "--train", filepath.Join(ds, "train.jsonl"))
	if len(reps) != 3 {
		t.Fatalf("prefixtune eval --baselines gave %d reports, want 3", len(reps))
	}
	for i, r := range reps {
		t.Logf("test split, %s: loss page %.6f, prefixtune eval %.6f; BLEU page %.2f", r.Name, pageLoss[i], r.Loss.Point, pageBLEU[i])
		if math.Abs(r.Loss.Point-pageLoss[i]) > 1e-5*math.Abs(r.Loss.Point) {
			t.Errorf("%s: prefixtune eval reports a test loss of %.7f, the page %.7f", r.Name, r.Loss.Point, pageLoss[i])
		}
	}
	var row0 struct{ Prompt string }
	if err := json.Unmarshal([]byte(strings.SplitN(readFile(t, filepath.Join(ds, "test.jsonl")), "\n", 2)[0]), &row0); err != nil {
		t.Fatal(err)
	}
	gen := strings.TrimSpace(string(prefixtune("generate", "--model", model, "--adapter", adapter, "--template", template, "--prompt", row0.Prompt, "--max-new-tokens", "16")))
	if samplePrefixed != gen {
		t.Errorf("the page generated %q with the prefix for the first test prompt, prefixtune generate %q", samplePrefixed, gen)
	}
	val := native("--data", filepath.Join(ds, "validation.jsonl"))[0].Loss.Point
	t.Logf("validation loss after training: page %.6f, prefixtune eval %.6f", trainVal, val)
	if math.Abs(val-trainVal) > 1e-3 {
		t.Errorf("the run's last validation loss %.4f differs from prefixtune eval's %.4f", trainVal, val)
	}

	checkRequests(t, srv.Requests(), p.RequestsSent(), sentAtLoad, loaded, filepath.Join(root, "public", "datasets", sample, "train.jsonl"))
}

// checkRequests checks what the server received and what the tab sent
// (the first atLoad of them before the model had loaded): nothing after
// the page and the model had loaded, and never a body or any of the
// dataset's text.
func checkRequests(t *testing.T, got []apptest.Request, sent []*network.EventRequestWillBeSent, atLoad int, loaded time.Time, data string) {
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

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
