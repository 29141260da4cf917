package mirror

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

// hub is a loopback stand-in for the Hugging Face hub: resolve/ URLs of
// small files are answered directly, model.safetensors redirects to a CDN
// path as the hub does for LFS files.
type hub struct {
	*httptest.Server
	files map[string][]byte // by "owner/repo/revision/file"

	mu   sync.Mutex
	hits map[string]int // requests by URL path
	last *http.Request
}

func newHub(t *testing.T) *hub {
	h := &hub{files: map[string][]byte{}, hits: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *hub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.URL.Path]++
	h.last = r
	h.mu.Unlock()
	if rest, ok := strings.CutPrefix(r.URL.Path, "/cdn/"); ok {
		b, ok := h.files[rest]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%x"`, len(b)))
		w.Write(b)
		return
	}
	seg := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(seg) != 5 || seg[2] != "resolve" {
		http.Error(w, "bad hub path", http.StatusBadRequest)
		return
	}
	key := seg[0] + "/" + seg[1] + "/" + seg[3] + "/" + seg[4]
	switch b, ok := h.files[key]; {
	case seg[0] == "private":
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case seg[0] == "broken":
		http.Error(w, "down", http.StatusInternalServerError)
	case !ok:
		http.Error(w, "entry not found", http.StatusNotFound)
	case seg[4] == "model.safetensors":
		http.Redirect(w, r, "/cdn/"+key, http.StatusFound)
	default:
		w.Header().Set("ETag", `"etag-`+seg[4]+`"`)
		w.Header().Set("Last-Modified", "Fri, 02 Jan 2026 03:04:05 GMT")
		w.Header().Set("Content-Type", "text/html") // never trusted
		w.Write(b)
	}
}

func (h *hub) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

func newMirror(t *testing.T, c Config) *Mirror {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func get(h http.Handler, path string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAllowList(t *testing.T) {
	up := newHub(t)
	up.files["o/r/main/secrets.txt"] = []byte("no")
	m := newMirror(t, Config{Upstream: up.URL})
	for path, want := range map[string]int{
		"/hub/o/r/resolve/main/secrets.txt":                               404,
		"/hub/o/r/resolve/main/.git":                                      404,
		"/hub/o/r/resolve/main/a/config.json":                             404,
		"/hub/o/r/blob/main/config.json":                                  404,
		"/hub/o/resolve/main/config.json":                                 404,
		"/hub/o/r/resolve/main":                                           404,
		"/hub/../r/resolve/main/config.json":                              400,
		"/hub/o/r..x/resolve/main/config.json":                            400,
		"/hub/-o/r/resolve/main/config.json":                              400,
		"/hub/o/r/resolve/.hidden/config.json":                            400,
		"/hub/o/r/resolve/ma%20in/config.json":                            400,
		"/hub/o/r/resolve/refs%2Fpr%2F1/vocab.json":                       404, // six segments once decoded
		"/hub/o/" + strings.Repeat("r", 97) + "/resolve/main/config.json": 400,
	} {
		w := get(m, path)
		if w.Code != want {
			t.Errorf("%s: %d, want %d (%s)", path, w.Code, want, strings.TrimSpace(w.Body.String()))
		}
	}
	if len(up.hits) != 0 {
		t.Errorf("rejected requests reached the hub: %v", up.hits)
	}
	if w := get(m, "/hub/o/r/resolve/main/secrets.txt"); !strings.Contains(w.Body.String(), "config.json") {
		t.Errorf("404 does not say what is mirrored: %s", w.Body.String())
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "HEAD"} {
		r := httptest.NewRequest(method, "/hub/o/r/resolve/main/config.json", strings.NewReader("data"))
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		if w.Code != 405 || w.Header().Get("Allow") != "GET" {
			t.Errorf("%s: %d, Allow %q", method, w.Code, w.Header().Get("Allow"))
		}
	}
	r := httptest.NewRequest("GET", "/hub/o/r/resolve/main/config.json", strings.NewReader("data"))
	w := httptest.NewRecorder()
	m.ServeHTTP(w, r)
	if w.Code != 413 {
		t.Errorf("GET with a body: %d, want 413", w.Code)
	}
}

func TestFetchAndCache(t *testing.T) {
	for name, cache := range map[string]func(t *testing.T) Cache{
		"memory": func(t *testing.T) Cache { return NewMemory(1 << 20) },
		"disk": func(t *testing.T) Cache {
			d, err := NewDisk(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
	} {
		t.Run(name, func(t *testing.T) {
			up := newHub(t)
			weights := bytes.Repeat([]byte{1, 2, 3, 4, 5}, 50000)
			up.files["o/r/"+commit+"/config.json"] = []byte(`{"n_layer":2}`)
			up.files["o/r/"+commit+"/model.safetensors"] = weights
			up.files["o/r/main/tokenizer.json"] = []byte(`{"model":{}}`)
			m := newMirror(t, Config{Upstream: up.URL + "/", Cache: cache(t), BranchTTL: time.Nanosecond})

			cfg := "/hub/o/r/resolve/" + commit + "/config.json"
			w := get(m, cfg, "Cookie", "session=1", "Authorization", "Bearer x")
			if w.Code != 200 || w.Body.String() != `{"n_layer":2}` || w.Header().Get("X-Mirror-Cache") != "miss" {
				t.Fatalf("first GET: %d %q %v", w.Code, w.Body.String(), w.Header())
			}
			for k, v := range map[string]string{
				"Content-Type": "application/json", "Content-Length": "13", "ETag": `"etag-config.json"`,
				"Last-Modified": "Fri, 02 Jan 2026 03:04:05 GMT", "Cache-Control": "public, max-age=31536000, immutable",
			} {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if r := up.last; r.Header.Get("Cookie") != "" || r.Header.Get("Authorization") != "" || r.URL.RawQuery != "" ||
				r.Header.Get("User-Agent") != "prefixtune-mirror" || r.Header.Get("Accept-Encoding") != "identity" {
				t.Errorf("upstream request carried %v ?%s", r.Header, r.URL.RawQuery)
			}
			w = get(m, "/hub/o/r/resolve/"+commit+"/model.safetensors")
			if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), weights) || w.Header().Get("Content-Type") != "application/octet-stream" {
				t.Fatalf("redirected weights: %d, %d bytes, %v", w.Code, w.Body.Len(), w.Header())
			}
			if w := get(m, "/hub/o/r/resolve/main/tokenizer.json"); w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" {
				t.Fatalf("branch file: %d %v", w.Code, w.Header())
			}

			// The hub goes away: commits are served from the cache, the
			// branch file (past its TTL) from its stale copy.
			up.Close()
			for path, want := range map[string]string{cfg: "hit", "/hub/o/r/resolve/" + commit + "/model.safetensors": "hit", "/hub/o/r/resolve/main/tokenizer.json": "stale"} {
				w := get(m, path)
				if w.Code != 200 || w.Header().Get("X-Mirror-Cache") != want {
					t.Errorf("%s with the hub down: %d %q, want 200 %s", path, w.Code, w.Header().Get("X-Mirror-Cache"), want)
				}
			}
			if w := get(m, "/hub/o/r/resolve/"+commit+"/model.safetensors"); !bytes.Equal(w.Body.Bytes(), weights) || w.Header().Get("Content-Length") != fmt.Sprint(len(weights)) {
				t.Errorf("cached weights differ: %d bytes, %v", w.Body.Len(), w.Header())
			}
			if w := get(m, cfg, "If-None-Match", `W/"etag-config.json"`); w.Code != 304 {
				t.Errorf("revalidation of a cached file: %d, want 304", w.Code)
			}
			if w := get(m, "/hub/o/r/resolve/main/vocab.json"); w.Code != 502 || !strings.Contains(w.Body.String(), "could not be reached") {
				t.Errorf("uncached file with the hub down: %d %s", w.Code, w.Body.String())
			}
		})
	}
}

func TestUpstreamErrors(t *testing.T) {
	up := newHub(t)
	up.files["o/r/main/config.json"] = []byte(`{}`)
	up.files["o/r/main/model.safetensors"] = make([]byte, 100)
	m := newMirror(t, Config{Upstream: up.URL, Cache: NewMemory(1 << 20), MaxBytes: 50})
	for path, want := range map[string]int{
		"/hub/o/r/resolve/main/vocab.json":        404, // not on the hub
		"/hub/private/r/resolve/main/config.json": 404, // gated or private
		"/hub/broken/r/resolve/main/config.json":  502,
		"/hub/o/r/resolve/main/model.safetensors": 502, // over MaxBytes
	} {
		for i := 0; i < 2; i++ {
			if w := get(m, path); w.Code != want || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %d %q, want %d no-store", path, w.Code, w.Header().Get("Cache-Control"), want)
			}
		}
	}
	if n := up.count("/o/r/resolve/main/vocab.json"); n != 2 {
		t.Errorf("a 404 was cached: the hub saw %d requests, want 2", n)
	}
	if _, err := New(Config{Upstream: "ftp://x"}); err == nil {
		t.Error("ftp upstream accepted")
	}
	if _, err := New(Config{Upstream: "https://x.org/?q"}); err == nil {
		t.Error("upstream with a query accepted")
	}
}

// TestStreaming shows the mirror passes bytes on as they arrive: the client
// reads the first half while the hub still holds back the second.
func TestStreaming(t *testing.T) {
	const half = 1 << 20
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(2*half))
		w.Write(bytes.Repeat([]byte{'a'}, half))
		w.(http.Flusher).Flush()
		<-release
		w.Write(bytes.Repeat([]byte{'b'}, half))
	}))
	defer up.Close()
	cache := NewMemory(1 << 30)
	srv := httptest.NewServer(newMirror(t, Config{Upstream: up.URL, Cache: cache}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/hub/o/r/resolve/"+commit+"/model.safetensors", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		close(release)
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, half)
	_, err = io.ReadFull(resp.Body, first)
	close(release)
	if err != nil || first[half-1] != 'a' {
		t.Fatalf("first half did not arrive before the hub sent the rest: %v", err)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(rest) != half || rest[0] != 'b' {
		t.Fatalf("second half: %d bytes, %v", len(rest), err)
	}
	// The handler commits just after the last byte: give it a moment.
	for e, _ := cache.Get(ctx, up.URL+"/o/r/resolve/"+commit+"/model.safetensors"); e == nil; e, _ = cache.Get(ctx, up.URL+"/o/r/resolve/"+commit+"/model.safetensors") {
		if ctx.Err() != nil {
			t.Fatal("streamed file not cached")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTruncatedUpstream: a body cut short is never cached.
func TestTruncatedUpstream(t *testing.T) {
	cut := true
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		if cut {
			w.Write(make([]byte, 40))
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close()
			return
		}
		w.Write(make([]byte, 100))
	}))
	defer up.Close()
	d, err := NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := newMirror(t, Config{Upstream: up.URL, Cache: d})
	path := "/hub/o/r/resolve/" + commit + "/config.json"
	get(m, path)
	if e, _ := d.Get(context.Background(), up.URL+"/o/r/resolve/"+commit+"/config.json"); e != nil {
		e.Body.Close()
		t.Fatal("truncated body was cached")
	}
	if left, _ := filepath.Glob(filepath.Join(d.Dir, "fill-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	cut = false
	if w := get(m, path); w.Code != 200 || w.Body.Len() != 100 || w.Header().Get("X-Mirror-Cache") != "miss" {
		t.Errorf("refetch: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := get(m, path); w.Header().Get("X-Mirror-Cache") != "hit" {
		t.Errorf("complete body not cached")
	}
}

func TestDiskIgnoresPartialEntries(t *testing.T) {
	d, err := NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	put := func(key, body string) {
		w, err := d.Put(ctx, key, http.Header{"Content-Type": {"application/json"}})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	put("k", "hello")
	e, err := d.Get(ctx, "k")
	if err != nil || e == nil {
		t.Fatalf("Get after Commit: %v %v", e, err)
	}
	b, _ := io.ReadAll(e.Body)
	e.Body.Close()
	if string(b) != "hello" || e.Header.Get("Content-Type") != "application/json" || time.Since(e.Stored) > time.Minute {
		t.Errorf("entry: %q %v %v", b, e.Header, e.Stored)
	}
	// A body cut short on disk (a crash, a full disk) is a miss.
	os.WriteFile(d.base("k")+".data", []byte("hel"), 0o644)
	if e, _ := d.Get(ctx, "k"); e != nil {
		t.Error("truncated body served")
	}
	// An aborted write leaves nothing.
	w, _ := d.Put(ctx, "j", http.Header{})
	io.WriteString(w, "partial")
	w.Abort()
	if e, _ := d.Get(ctx, "j"); e != nil {
		t.Error("aborted entry served")
	}
	if left, _ := filepath.Glob(filepath.Join(d.Dir, "*")); len(left) != 2 {
		t.Errorf("files left: %v", left)
	}
}

func TestMemoryBounds(t *testing.T) {
	c := NewMemory(10)
	ctx := context.Background()
	put := func(key string, n int) error {
		w, _ := c.Put(ctx, key, http.Header{})
		if _, err := w.Write(make([]byte, n)); err != nil {
			w.Abort()
			return err
		}
		return w.Commit()
	}
	if err := put("a", 6); err != nil {
		t.Fatal(err)
	}
	if err := put("b", 6); err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Get(ctx, "a"); e != nil {
		t.Error("oldest entry not evicted")
	}
	if e, _ := c.Get(ctx, "b"); e == nil {
		t.Error("newest entry missing")
	}
	if err := put("c", 11); err == nil {
		t.Error("entry larger than the cache accepted")
	}
	if c.size != 6 {
		t.Errorf("size %d, want 6", c.size)
	}
}
