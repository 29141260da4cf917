package reliability

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"prefixtune/tests/browser/browsertest"
	"prefixtune/worker/site"
)

// The site is built once for all the tests of the package, and removed by
// TestMain.
var (
	siteOnce sync.Once
	siteDir  string
	siteErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if siteDir != "" {
		os.RemoveAll(siteDir)
	}
	os.Exit(code)
}

// buildSite returns the folder of the site, built on first use: public/
// with ui.wasm and engine.wasm built for GOOS=js, the toolchain's
// wasm_exec.js, the kernel pool and its modules, as `make web` makes it.
func buildSite(t *testing.T) string {
	t.Helper()
	siteOnce.Do(func() {
		if siteDir, siteErr = os.MkdirTemp("", "prefixtune-reliability-"); siteErr == nil {
			siteErr = writeSite(siteDir)
		}
	})
	if siteErr != nil {
		t.Fatalf("building the site: %v", siteErr)
	}
	return siteDir
}

func writeSite(dir string) error {
	root, err := browsertest.Root()
	if err != nil {
		return err
	}
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "public"))); err != nil {
		return fmt.Errorf("copying public/: %w", err)
	}
	for out, pkg := range map[string]string{"ui.wasm": "prefixtune/ui", "engine.wasm": "prefixtune/wasm/engine"} {
		if err := browsertest.BuildWasm(filepath.Join(dir, out), pkg, false); err != nil {
			return err
		}
	}
	wasmExec, err := browsertest.WasmExec()
	if err != nil {
		return err
	}
	for dst, src := range map[string]string{"wasm_exec.js": wasmExec, "pool.js": filepath.Join(root, "wasm/pool.js"),
		"kernels.wasm": filepath.Join(root, "wasm/kernels/kernels.wasm"), "kernels_relaxed.wasm": filepath.Join(root, "wasm/kernels/kernels_relaxed.wasm")} {
		b, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, dst), b, 0o644)
		}
		if err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "models", "demo", "model.safetensors")); err != nil {
		return fmt.Errorf("the bundled demo model is missing (make demo-model writes it): %w", err)
	}
	return nil
}

// request is one request a server received.
type request struct {
	At     time.Time
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// recorder is a loopback HTTP server that logs every request it gets
// (WebSocket handshakes included) before handing it to its handler.
type recorder struct {
	URL string
	srv *http.Server

	mu   sync.Mutex
	reqs []request
}

func record(t *testing.T, h http.Handler) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &recorder{URL: "http://" + ln.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.reqs = append(s.reqs, request{time.Now(), r.Method, r.URL.String(), r.Header.Clone(), body})
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// serve serves the site folder dir with worker/site's handler, as
// `prefixtune serve` does.
func serve(t *testing.T, dir string) *recorder {
	t.Helper()
	h, err := site.New(site.Config{Static: os.DirFS(dir), HubOrigins: site.DefaultHubOrigins, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	return record(t, h)
}

// requests returns the requests so far.
func (s *recorder) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}
