package edge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"prefixtune/worker/site"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

// TestWorker runs the real Worker (worker/wrangler.jsonc) under `wrangler
// dev`, offline, with a loopback hub, and checks that static assets (served
// by Cloudflare with public/_headers) and Worker routes (served by Go) carry
// the same isolation and security headers, that Cloudflare gives every
// extension the Content-Type of worker/site, and that the mirror streams and
// caches through the Cache API.
func TestWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts wrangler (about half a minute)")
	}
	wrangler, err := filepath.Abs(filepath.Join("node_modules", ".bin", "wrangler"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wrangler); err != nil {
		t.Fatalf("wrangler is not installed: run `npm ci --prefix tests/edge` from the repository root (%v)", err)
	}

	hubFiles := map[string]string{
		"/o/r/resolve/" + commit + "/config.json": `{"n_layer":2}`,
		"/o/r/resolve/main/tokenizer.json":        `{"model":{"vocab":{}}}`,
	}
	weights := make([]byte, 3<<20)
	for i := range weights {
		weights[i] = byte(i * 7919 >> 8)
	}
	hubFiles["/cdn/weights"] = string(weights)
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/o/r/resolve/"+commit+"/model.safetensors" {
			http.Redirect(w, r, "/cdn/weights", http.StatusFound) // as the hub does for LFS files
			return
		}
		body, ok := hubFiles[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", `"hub-etag"`)
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		io.WriteString(w, body)
	}))
	defer hub.Close()

	assets := t.TempDir()
	copyFile(t, filepath.Join("..", "..", "public", "_headers"), filepath.Join(assets, "_headers"))
	page, err := os.ReadFile(filepath.Join("..", "..", "worker", "testdata", "site", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(assets, "index.html"), page)
	for ext := range site.Types() {
		writeFile(t, filepath.Join(assets, "file"+ext), bytes.Repeat([]byte("x"), 2000))
	}

	base := startWrangler(t, wrangler, assets, hub.URL)
	// The first request a Go Worker answers instantiates its 11 MB module,
	// which takes tens of seconds on a loaded machine.
	client := &http.Client{Timeout: 90 * time.Second}
	want := site.Headers(site.DefaultHubOrigins)
	check := func(method, path string, body io.Reader, status int) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, body)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, status, b)
		}
		for k, v := range want {
			if got := resp.Header.Values(k); len(got) != 1 || got[0] != v[0] {
				t.Errorf("%s %s: %s = %q, want %q", method, path, k, got, v[0])
			}
		}
		return resp, b
	}

	// Static assets, served by Cloudflare.
	resp, b := check("GET", "/", nil, 200)
	if !bytes.Equal(b, page) || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("ETag") == "" {
		t.Errorf("index: %q, Cache-Control %q, ETag %q", b, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}
	for ext, typ := range site.Types() {
		resp, _ := check("GET", "/file"+ext, nil, 200)
		if got := resp.Header.Get("Content-Type"); got != typ {
			t.Errorf("Cloudflare serves %s as %q, worker/site as %q: add the type to worker/site's table with edge=true and regenerate public/_headers", ext, got, typ)
		}
	}
	check("HEAD", "/", nil, 200)
	check("POST", "/", strings.NewReader("data"), 405)
	if resp, _ := check("GET", "/_headers", nil, 404); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("/_headers was not answered by the Worker")
	}

	// Worker routes, served by Go.
	check("GET", "/missing", nil, 404)
	check("HEAD", "/missing", nil, 404)
	check("DELETE", "/missing", nil, 405)
	check("HEAD", "/hub/o/r/resolve/main/config.json", nil, 405)
	check("POST", "/hub/o/r/resolve/main/config.json", strings.NewReader("data"), 405)
	check("GET", "/hub/o/r/resolve/main/secrets.txt", nil, 404)
	check("GET", "/hub/o/r/resolve/main/vocab.json", nil, 404)
	mirrored := "/hub/o/r/resolve/" + commit + "/config.json"
	resp, b = check("GET", mirrored, nil, 200)
	if string(b) != `{"n_layer":2}` || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Mirror-Cache") != "miss" {
		t.Errorf("mirror miss: %q %v", b, resp.Header)
	}
	weightsPath := "/hub/o/r/resolve/" + commit + "/model.safetensors"
	if _, b := check("GET", weightsPath, nil, 200); !bytes.Equal(b, weights) {
		t.Errorf("mirrored weights: %d bytes differ from the hub's %d", len(b), len(weights))
	}
	_, b = check("GET", "/hub/o/r/resolve/main/tokenizer.json", nil, 200)
	if string(b) != `{"model":{"vocab":{}}}` {
		t.Errorf("mirrored tokenizer: %q", b)
	}

	// The hub goes away; the Cache API still has the file.
	hub.Close()
	resp, b = check("GET", mirrored, nil, 200)
	if string(b) != `{"n_layer":2}` || resp.Header.Get("X-Mirror-Cache") != "hit" {
		t.Errorf("mirror with the hub down: %q %v", b, resp.Header)
	}
	if resp, b := check("GET", weightsPath, nil, 200); !bytes.Equal(b, weights) || resp.Header.Get("X-Mirror-Cache") != "hit" {
		t.Errorf("cached weights: %d bytes, %v", len(b), resp.Header)
	}
	if resp, _ := check("GET", "/hub/o/r/resolve/main/merges.txt", nil, 502); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("502 is cacheable")
	}
}

// startWrangler runs `wrangler dev` from worker/ on a free loopback port with
// the given assets and hub, stops it when the test ends, and returns its URL.
func startWrangler(t *testing.T, wrangler, assets, hub string) string {
	t.Helper()
	port, inspector := freePort(t), freePort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cmd := exec.CommandContext(ctx, wrangler, "dev", "--ip", "127.0.0.1", "--port", port, "--inspector-port", inspector,
		"--assets", assets, "--persist-to", t.TempDir(), "--var", "HUB_URL:"+hub, "--log-level", "warn")
	cmd.Dir = filepath.Join("..", "..", "worker")
	cmd.Env = append(os.Environ(), "WRANGLER_SEND_METRICS=false", "CI=1", "CLOUDFLARE_CF_FETCH_ENABLED=false",
		"WRANGLER_HIDE_BANNER=true", "NO_COLOR=1", "XDG_CONFIG_HOME="+t.TempDir())
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // wrangler starts workerd: stop the whole group
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		cancel()
	})

	base := "http://127.0.0.1:" + port
	deadline := time.Now().Add(3 * time.Minute) // includes the Go build of the Worker
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			return base
		}
		select {
		case <-exited:
			t.Fatalf("wrangler dev exited before serving:\n%s", out.String())
		case <-time.After(500 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("wrangler dev did not serve %s within 3 minutes:\n%s", base, out.String())
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatalf("%v: generate it with `go run ./worker/cmd/genheaders`", err)
	}
	writeFile(t, to, b)
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer collects wrangler's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
