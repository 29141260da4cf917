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

	"prefixtune/tests/browser/apptest"
)

// TestModelAndDataSources loads the model from files picked on disk and
// from a hub (a loopback stand-in for the site's mirror, a second time from
// the browser's cache), then the person's own CSV file.
func TestModelAndDataSources(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	siteDir, model := web.Build(t)
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

	// Files picked on disk, whose config.json names the model.
	p.Click(`#model-source input[value="files"]`)
	named := filepath.Join(t.TempDir(), "my-tiny-gpt2")
	if err := os.Mkdir(named, 0o755); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, n := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		b, err := os.ReadFile(filepath.Join(model, n))
		if err != nil {
			t.Fatal(err)
		}
		if n == "config.json" {
			b = bytes.Replace(b, []byte("{"), []byte(`{"_name_or_path": "example/tiny-demo",`), 1)
		}
		if err := os.WriteFile(filepath.Join(named, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(named, n))
	}
	p.Do("picking the model's files", chromedp.SetUploadFiles(chromedp.CSS("#model-files"), files))
	apptest.Wait[bool](p, "the check of config.json", `document.querySelector('.check')?.textContent.includes('GPT-2 with')`, 30*time.Second)
	p.Screenshot("files-picked")
	p.CheckAccessible("files-picked")
	p.Click("#model-load")
	p.LoadedModel()
	p.Click("#nav-model")
	if name := p.Text("model-name"); !strings.Contains(name, "name it example/tiny-demo as their base model") {
		p.Fail("the model from files is named as %q, want config.json's _name_or_path", name)
	}
	// The same files picked as their folder: the folder names the model.
	p.Click(`#model-source input[value="files"]`)
	p.Do("picking the model's folder", chromedp.SetUploadFiles(chromedp.CSS("#model-folder"), []string{named}))
	apptest.Wait[bool](p, "the check of config.json", `document.querySelector('.check')?.textContent.includes('GPT-2 with')`, 30*time.Second)
	p.Click("#model-load")
	p.LoadedModel()
	p.Click("#nav-model")
	if name := p.Text("model-name"); !strings.Contains(name, "name it my-tiny-gpt2 as their base model") {
		p.Fail("the model from a folder is named as %q, want the folder's name", name)
	}

	// The hub, then the hub again from the cache.
	hubRequests := func() (n int) {
		for _, r := range srv.Requests() {
			if strings.HasPrefix(r.URL, "/hub/") {
				n++
			}
		}
		return n
	}
	for i, want := range []string{"Downloading", "from the browser's cache"} {
		p.Click("#nav-model")
		p.Click(`#model-source input[value="hub"]`)
		p.Set("hub-repo", repo)
		p.Click("#model-load")
		p.LoadedModel()
		p.Click("#nav-model")
		info := p.Text("model-info")
		switch {
		case i == 0 && hubRequests() != 3:
			p.Fail("the hub got %d requests, want the model's 3 files", hubRequests())
		case i == 1 && (hubRequests() != 3 || !strings.Contains(info, want)):
			p.Fail("the second load from the hub made %d requests in all and says %q; want none more, %s", hubRequests(), info, want)
		}
		p.Screenshot(fmt.Sprintf("hub-%d", i+1))
		p.CheckAccessible(fmt.Sprintf("hub-%d", i+1))
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
	p.Click("#nav-data")
	apptest.Eval[chromedp.Void](p, dropJSONL)
	apptest.Wait[bool](p, "the preview of the dropped file", `document.querySelector('.preview-block h3')?.textContent === 'The first rows of dropped.jsonl'`, 30*time.Second)
	p.Do("picking the data file", chromedp.SetUploadFiles(chromedp.CSS("#data-file"), []string{csvPath}))
	apptest.Wait[bool](p, "the preview", `!!document.getElementById('data-preview')`, 30*time.Second)
	if heads := apptest.Eval[string](p, `[...document.querySelectorAll('#data-preview th')].map(e => e.textContent).join('|')`); heads != "word → prompt|definition → learnt" {
		p.Fail("the preview's columns are %q", heads)
	}
	p.Set("data-val-fraction", "20")
	p.Click("#data-load")
	apptest.Wait[bool](p, "the statistics", `!!document.getElementById('data-stats')`, time.Minute)
	if line := p.Text("data-stats"); !strings.Contains(line, "10 in definitions.csv, of which 20 % are held out") {
		p.Fail("the statistics say %q", line)
	}
	p.Screenshot("own-data")
	p.CheckAccessible("own-data")
	p.CheckCSP()
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

// TestResumeAfterReload pauses a run, reloads the page, and resumes the run
// from the checkpoint the browser kept.
func TestResumeAfterReload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	siteDir, _ := web.Build(t)
	srv := serve(t, siteDir, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p := open(t, ctx, srv.URL+"/")
	p.Click("#model-load")
	p.LoadedModel()
	p.Click("#sample-" + sample)
	apptest.Wait[bool](p, "the data", `!!document.getElementById('data-stats')`, time.Minute)
	p.Click("#nav-tune")
	p.Click("#preset-quick")
	p.Set("tune-save-every", "5")
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "a few steps", `+document.getElementById('loss-chart').dataset.points >= 8`, time.Minute)
	p.Click("#pause-button")
	paused := apptest.Wait[string](p, "the pause", `(t => t.startsWith('Paused') && t)(document.querySelector('label[for=train-progress]').textContent)`, time.Minute)
	p.Screenshot("paused")
	p.CheckAccessible("paused")

	p.Do("reloading", chromedp.Reload())
	p.Ready()
	apptest.Wait[bool](p, "the saved run", `!!document.getElementById('train-resume')`, 30*time.Second)
	p.Screenshot("saved-run")
	p.CheckAccessible("saved-run")
	p.Click("#model-load")
	apptest.Wait[bool](p, "the resume button", `document.getElementById('resume-saved')?.disabled === false`, time.Minute)
	p.Click("#resume-saved")
	apptest.Wait[bool](p, "the end of the resumed run", `document.querySelector('label[for=train-progress]')?.textContent.startsWith('Done')`, 2*time.Minute)
	if n := apptest.Eval[int](p, `+document.getElementById('loss-chart').dataset.points`); n != 40 {
		p.Fail("after resuming (%s), the chart has %d steps, want all 40", paused, n)
	}
	p.Screenshot("resumed")
	p.CheckCSP()
}
