package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var modTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// big is compressible and larger than minCompress.
var big = bytes.Repeat([]byte("(module (func $f (result i32) i32.const 42))\n"), 100)

func testFS() fstest.MapFS {
	file := func(b []byte) *fstest.MapFile { return &fstest.MapFile{Data: b, ModTime: modTime} }
	return fstest.MapFS{
		"index.html":        file([]byte("<!doctype html><title>t</title>")),
		"app.js":            file(big),
		"engine.mjs":        file([]byte("export {}")),
		"kernels.wasm":      file(big),
		"data/train.jsonl":  file([]byte(`{"prompt":"a","completion":"b"}` + "\n")),
		"data/train.csv":    file([]byte("a,b\n")),
		"model.safetensors": file(big),
		"config.json":       file([]byte(`{}`)),
		"style.css":         file([]byte("body{}")),
		"logo.png":          file(big),
		"blob.xyz":          file([]byte("?")),
		"sub/index.html":    file([]byte("<p>sub</p>")),
		"empty/x.txt":       file([]byte("x")),
		".secret":           file([]byte("secret")),
		"sub/.env":          file([]byte("secret")),
		"_headers":          file([]byte("/*\n")),
	}
}

// mirrorStub stands for worker/mirror.
var mirrorStub = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", `"abc"`)
	w.Write(big)
})

func newSite(t *testing.T, c Config) http.Handler {
	t.Helper()
	h, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func do(h http.Handler, method, target string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func checkSecurity(t *testing.T, what string, got http.Header, hub []string) {
	t.Helper()
	for k, v := range Headers(hub) {
		if g := got.Values(k); len(g) != 1 || g[0] != v[0] {
			t.Errorf("%s: %s = %q, want %q", what, k, g, v[0])
		}
	}
}

// TestHeadersOnEveryResponse covers every kind of response: files, folders,
// redirects, 304, 206, errors, the mirror, gzip, HEAD, and a site with no
// files at all.
func TestHeadersOnEveryResponse(t *testing.T) {
	full := newSite(t, Config{Static: testFS(), Mirror: mirrorStub, HubOrigins: DefaultHubOrigins, Compress: true})
	bare := newSite(t, Config{HubOrigins: DefaultHubOrigins})
	etag := do(full, "GET", "/index.html", nil).Header().Get("ETag")
	cases := []struct {
		h            http.Handler
		method, path string
		body         io.Reader
		hdr          []string
		status       int
	}{
		{full, "GET", "/", nil, nil, 200},
		{full, "GET", "/kernels.wasm", nil, []string{"Accept-Encoding", "gzip"}, 200},
		{full, "HEAD", "/app.js", nil, nil, 200},
		{full, "GET", "/sub/", nil, nil, 200},
		{full, "GET", "/sub", nil, nil, 301},
		{full, "GET", "/index.html", nil, []string{"If-None-Match", etag}, 304},
		{full, "GET", "/app.js", nil, []string{"Range", "bytes=0-9"}, 206},
		{full, "GET", "/missing", nil, nil, 404},
		{full, "GET", "/empty/", nil, nil, 404},
		{full, "GET", "/.secret", nil, nil, 404},
		{full, "GET", "/a/../index.html", nil, nil, 400},
		{full, "POST", "/", strings.NewReader("data"), nil, 405},
		{full, "OPTIONS", "/", nil, nil, 405},
		{full, "GET", "/", strings.NewReader("data"), nil, 413},
		{full, "GET", "/hub/a/b/resolve/main/config.json", nil, []string{"Accept-Encoding", "gzip"}, 200},
		{bare, "GET", "/", nil, nil, 404},
		{bare, "PUT", "/x", strings.NewReader("data"), nil, 405},
	}
	for _, c := range cases {
		w := do(c.h, c.method, c.path, c.body, c.hdr...)
		what := c.method + " " + c.path
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d", what, w.Code, c.status)
		}
		checkSecurity(t, what, w.Header(), DefaultHubOrigins)
	}
}

func TestCSP(t *testing.T) {
	csp := CSP(DefaultHubOrigins)
	for _, want := range []string{
		"default-src 'self'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"worker-src 'self' blob:",
		"connect-src 'self' https://huggingface.co https://*.huggingface.co https://*.hf.co",
		"img-src 'self' data: blob:",
		"style-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	} {
		if !strings.Contains(csp, want+";") && !strings.HasSuffix(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("CSP allows inline or eval: %s", csp)
	}
	if got := CSP(nil); !strings.Contains(got, "connect-src 'self';") {
		t.Errorf("CSP without hub: %s", got)
	}
	h := newSite(t, Config{HubOrigins: []string{"http://127.0.0.1:9000"}})
	if got := do(h, "GET", "/", nil).Header().Get("Content-Security-Policy"); !strings.Contains(got, "connect-src 'self' http://127.0.0.1:9000;") {
		t.Errorf("configured hub not in connect-src: %s", got)
	}
}

func TestCheckOrigins(t *testing.T) {
	for _, ok := range []string{"https://huggingface.co", "https://*.hf.co", "http://127.0.0.1:8080"} {
		if err := CheckOrigins([]string{ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"huggingface.co", "ftp://x.org", "https://x.org/path", "https://x.org; script-src *", "https://x.org?q", "https://a b", "'self'", "https://u@x.org"} {
		if err := CheckOrigins([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
		if _, err := New(Config{HubOrigins: []string{bad}}); err == nil {
			t.Errorf("New accepted hub origin %q", bad)
		}
	}
}

func TestContentTypes(t *testing.T) {
	h := newSite(t, Config{Static: testFS()})
	for path, want := range map[string]string{
		"/":                  "text/html; charset=utf-8",
		"/app.js":            "text/javascript; charset=utf-8",
		"/engine.mjs":        "text/javascript; charset=utf-8",
		"/kernels.wasm":      "application/wasm",
		"/data/train.jsonl":  "application/jsonl",
		"/data/train.csv":    "text/csv; charset=utf-8",
		"/model.safetensors": "application/octet-stream",
		"/config.json":       "application/json",
		"/style.css":         "text/css; charset=utf-8",
		"/logo.png":          "image/png",
		"/blob.xyz":          "application/octet-stream",
	} {
		w := do(h, "GET", path, nil)
		if w.Code != 200 || w.Header().Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", path, w.Code, w.Header().Get("Content-Type"), want)
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGzip(t *testing.T) {
	h := newSite(t, Config{Static: testFS(), Mirror: mirrorStub, Compress: true})
	for _, path := range []string{"/kernels.wasm", "/app.js", "/hub/a/b/resolve/main/config.json"} {
		w := do(h, "GET", path, nil, "Accept-Encoding", "br, gzip")
		if w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Content-Length") != "" {
			t.Fatalf("%s: not gzipped: %v", path, w.Header())
		}
		if !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: no Vary: Accept-Encoding", path)
		}
		if !bytes.Equal(gunzip(t, w.Body.Bytes()), big) {
			t.Errorf("%s: gzipped body differs", path)
		}
		if tag := w.Header().Get("ETag"); !strings.HasPrefix(tag, "W/") {
			t.Errorf("%s: gzipped ETag %q is not weak", path, tag)
		}
	}
	plain := []struct{ path, enc string }{
		{"/kernels.wasm", ""},                // client does not ask
		{"/kernels.wasm", "gzip;q=0, br"},    // client refuses
		{"/kernels.wasm", "gzip;q=0, *"},     // refused by name despite *
		{"/model.safetensors", "gzip"},       // raw weights
		{"/logo.png", "gzip"},                // already compressed
		{"/engine.mjs", "gzip"},              // too small to bother
		{"/data/train.jsonl", "gzip, x-foo"}, // too small to bother
	}
	for _, c := range plain {
		w := do(h, "GET", c.path, nil, "Accept-Encoding", c.enc)
		if w.Header().Get("Content-Encoding") != "" {
			t.Errorf("%s with Accept-Encoding %q: compressed", c.path, c.enc)
		}
		want, _ := testFS()[strings.TrimPrefix(c.path, "/")]
		if !bytes.Equal(w.Body.Bytes(), want.Data) {
			t.Errorf("%s: body differs", c.path)
		}
	}
	if v := do(h, "GET", "/kernels.wasm", nil).Header().Get("Vary"); v != "Accept-Encoding" {
		t.Errorf("uncompressed wasm: Vary %q, want Accept-Encoding", v)
	}
	w := do(h, "GET", "/kernels.wasm", nil, "Accept-Encoding", "*")
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding * not honoured")
	}
	w = do(h, "HEAD", "/kernels.wasm", nil, "Accept-Encoding", "gzip")
	if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() != 0 {
		t.Errorf("HEAD gzip: %v, %d body bytes", w.Header(), w.Body.Len())
	}
	w = do(h, "GET", "/app.js", nil, "Accept-Encoding", "gzip", "Range", "bytes=0-9")
	if w.Code != 206 || w.Header().Get("Content-Encoding") != "" || w.Body.String() != string(big[:10]) {
		t.Errorf("range request: %d %v %q", w.Code, w.Header(), w.Body.String())
	}
	off := newSite(t, Config{Static: testFS()})
	if w := do(off, "GET", "/kernels.wasm", nil, "Accept-Encoding", "gzip"); w.Header().Get("Content-Encoding") != "" || w.Header().Get("Vary") != "" {
		t.Errorf("Compress off: %v", w.Header())
	}
}

func TestMethodsAndBodies(t *testing.T) {
	h := newSite(t, Config{Static: testFS(), Mirror: mirrorStub})
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"} {
		w := do(h, m, "/hub/a/b/resolve/main/config.json", nil)
		if w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d, Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: error is cacheable", m)
		}
	}
	for _, path := range []string{"/", "/hub/a/b/resolve/main/config.json"} {
		if w := do(h, "GET", path, strings.NewReader("user data")); w.Code != 413 {
			t.Errorf("GET %s with a body: %d, want 413", path, w.Code)
		}
		r := httptest.NewRequest("GET", path, strings.NewReader("user data"))
		r.ContentLength = -1 // chunked
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 413 {
			t.Errorf("GET %s with a chunked body: %d, want 413", path, w.Code)
		}
	}
}

func TestPaths(t *testing.T) {
	h := newSite(t, Config{Static: testFS()})
	for path, want := range map[string]int{
		"/../index.html":       400,
		"/sub/../index.html":   400,
		"/sub/./index.html":    400,
		"//index.html":         400,
		"/sub//index.html":     400,
		"/%2e%2e/index.html":   400,
		"/sub%5c..%5cx":        400,
		"/x%00y":               400,
		"/.secret":             404,
		"/sub/.env":            404,
		"/%2esecret":           404,
		"/_headers":            404,
		"/sub/index.html":      200,
		"/sub/":                200,
		"/index.html":          200,
		"/index.html/":         404,
		"/data/train.jsonl?x=": 200,
	} {
		if w := do(h, "GET", path, nil); w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
	}
	w := do(h, "GET", "/sub?x=1", nil)
	if w.Code != 301 || w.Header().Get("Location") != "sub/?x=1" {
		t.Errorf("/sub: %d, Location %q", w.Code, w.Header().Get("Location"))
	}
}

func TestHeadAndRevalidation(t *testing.T) {
	h := newSite(t, Config{Static: testFS(), Compress: true})
	get := do(h, "GET", "/app.js", nil)
	head := do(h, "HEAD", "/app.js", nil)
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Length") != get.Header().Get("Content-Length") {
		t.Errorf("HEAD: %d, %d body bytes, Content-Length %q", head.Code, head.Body.Len(), head.Header().Get("Content-Length"))
	}
	tag := get.Header().Get("ETag")
	if !strings.HasPrefix(tag, `W/"`) || get.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", tag, get.Header().Get("Cache-Control"))
	}
	if lm := get.Header().Get("Last-Modified"); lm != modTime.Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q", lm)
	}
	if other := do(h, "GET", "/kernels.wasm", nil).Header().Get("ETag"); other != tag {
		t.Errorf("same content, different ETags %q %q", tag, other)
	}
	if other := do(h, "GET", "/index.html", nil).Header().Get("ETag"); other == tag {
		t.Errorf("different content, same ETag")
	}
	for _, hdr := range [][]string{
		{"If-None-Match", tag},
		{"If-None-Match", strings.TrimPrefix(tag, "W/")},
		{"If-None-Match", `"other", ` + tag},
		{"If-Modified-Since", modTime.Format(http.TimeFormat)},
	} {
		w := do(h, "GET", "/app.js", nil, append(hdr, "Accept-Encoding", "gzip")...)
		if w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("%s: %d, %d body bytes", hdr, w.Code, w.Body.Len())
		}
	}
	if w := do(h, "GET", "/app.js", nil, "If-None-Match", `"other"`); w.Code != 200 {
		t.Errorf("stale If-None-Match: %d", w.Code)
	}
	// A file that changes gets a new ETag.
	fsys := testFS()
	s := newStatic(fsys)
	first := do(s, "GET", "/config.json", nil).Header().Get("ETag")
	fsys["config.json"] = &fstest.MapFile{Data: []byte(`{"n":1}`), ModTime: modTime.Add(time.Second)}
	if second := do(s, "GET", "/config.json", nil).Header().Get("ETag"); second == first {
		t.Errorf("changed file kept ETag %q", first)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.0": false,
		"*": true, "*;q=0": false, "identity": false, "br": false, "x-gzip": true, "gzip;q=0, *": false,
	} {
		if got := acceptsGzip([]string{v}); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", v, got, want)
		}
	}
}
