package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestModelAndDataSources loads the model from files picked on disk and
// from a hub (a loopback stand-in for the site's mirror, a second time from
// the browser's cache), then the person's own CSV file.
func TestModelAndDataSources(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	siteDir, model := buildSite(t)
	const repo = "local/demo"
	hub := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, "/hub/"+repo+"/resolve/main/")
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(model, name))
	})
	srv := serve(t, siteDir, hub)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p := open(t, ctx, srv.URL+"/")

	// Files picked on disk.
	p.click(`#model-source input[value="files"]`)
	var files []string
	for _, n := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		files = append(files, filepath.Join(model, n))
	}
	p.do("picking the model's files", chromedp.SetUploadFiles(chromedp.CSS("#model-files"), files))
	wait[bool](p, "the check of config.json", `document.querySelector('.check')?.textContent.includes('GPT-2 with')`, 30*time.Second)
	p.screenshot("files-picked")
	p.click("#model-load")
	loadedModel(p)

	// The hub, then the hub again from the cache.
	hubRequests := func() (n int) {
		for _, r := range srv.requests() {
			if strings.HasPrefix(r.URL, "/hub/") {
				n++
			}
		}
		return n
	}
	for i, want := range []string{"Downloading", "from the browser's cache"} {
		p.click("#nav-model")
		p.click(`#model-source input[value="hub"]`)
		p.set("hub-repo", repo)
		p.click("#model-load")
		loadedModel(p)
		p.click("#nav-model")
		info := p.text("model-info")
		switch {
		case i == 0 && hubRequests() != 3:
			p.fail("the hub got %d requests, want the model's 3 files", hubRequests())
		case i == 1 && (hubRequests() != 3 || !strings.Contains(info, want)):
			p.fail("the second load from the hub made %d requests in all and says %q; want none more, %s", hubRequests(), info, want)
		}
		p.screenshot(fmt.Sprintf("hub-%d", i+1))
	}

	// The person's own CSV, with other column names and a share held out.
	csvPath := filepath.Join(t.TempDir(), "definitions.csv")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"word", "definition"})
	for i, word := range []string{"apple", "river", "stone", "cloud", "bread", "music", "glass", "winter", "garden", "letter"} {
		w.Write([]string{"word: " + word + "\ndefinition:", fmt.Sprintf(" a thing, number %d", i)})
	}
	w.Flush()
	if err := os.WriteFile(csvPath, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p.click("#nav-data")
	eval[chromedp.Void](p, dropJSONL)
	wait[bool](p, "the preview of the dropped file", `document.querySelector('.preview-block h3')?.textContent === 'The first rows of dropped.jsonl'`, 30*time.Second)
	p.do("picking the data file", chromedp.SetUploadFiles(chromedp.CSS("#data-file"), []string{csvPath}))
	wait[bool](p, "the preview", `!!document.getElementById('data-preview')`, 30*time.Second)
	if heads := eval[string](p, `[...document.querySelectorAll('#data-preview th')].map(e => e.textContent).join('|')`); heads != "word → prompt|definition → learnt" {
		p.fail("the preview's columns are %q", heads)
	}
	p.set("data-val-fraction", "20")
	p.click("#data-load")
	wait[bool](p, "the statistics", `!!document.getElementById('data-stats')`, time.Minute)
	if line := p.text("data-stats"); !strings.Contains(line, "10 in definitions.csv, of which 20 % are held out") {
		p.fail("the statistics say %q", line)
	}
	p.screenshot("own-data")
	p.checkCSP()
}

// dropJSONL drops a JSON Lines file on the Data step's drop zone, as a
// person dragging it from their desktop does.
const dropJSONL = `(() => {
	const dt = new DataTransfer();
	dt.items.add(new File(['{"prompt":"word: sky\\ndefinition:","completion":" the air above"}\n'], 'dropped.jsonl'));
	const zone = document.getElementById('data-file').closest('.dropzone');
	for (const type of ['dragenter', 'dragover', 'drop']) {
		zone.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
	}
})()`

// loadedModel waits until the model loads: the page then moves on to the
// Data step.
func loadedModel(p *page) {
	p.t.Helper()
	wait[bool](p, "the model", `document.getElementById('nav-data').getAttribute('aria-current') === 'step'`, time.Minute)
}

// TestResumeAfterReload pauses a run, reloads the page, and resumes the run
// from the checkpoint the browser kept.
func TestResumeAfterReload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	siteDir, _ := buildSite(t)
	srv := serve(t, siteDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p := open(t, ctx, srv.URL+"/")
	p.click("#model-load")
	loadedModel(p)
	p.click("#sample-" + sample)
	wait[bool](p, "the data", `!!document.getElementById('data-stats')`, time.Minute)
	p.click("#nav-tune")
	p.click("#preset-quick")
	p.set("tune-save-every", "5")
	p.click("#nav-train")
	p.click("#train-button")
	wait[bool](p, "a few steps", `+document.getElementById('loss-chart').dataset.points >= 8`, time.Minute)
	p.click("#pause-button")
	paused := wait[string](p, "the pause", `(t => t.startsWith('Paused') && t)(document.querySelector('label[for=train-progress]').textContent)`, time.Minute)
	p.screenshot("paused")

	p.do("reloading", chromedp.Reload())
	p.ready()
	wait[bool](p, "the saved run", `!!document.getElementById('train-resume')`, 30*time.Second)
	p.screenshot("saved-run")
	p.click("#model-load")
	wait[bool](p, "the resume button", `document.getElementById('resume-saved')?.disabled === false`, time.Minute)
	p.click("#resume-saved")
	wait[bool](p, "the end of the resumed run", `document.querySelector('label[for=train-progress]')?.textContent.startsWith('Done')`, 2*time.Minute)
	if n := eval[int](p, `+document.getElementById('loss-chart').dataset.points`); n != 40 {
		p.fail("after resuming (%s), the chart has %d steps, want all 40", paused, n)
	}
	p.screenshot("resumed")
	p.checkCSP()
}
