package engine

import (
	"net"
	"net/http"
	"path/filepath"
	"prefixtune/tests/reference/gpt2"
	"strings"
	"sync/atomic"
	"testing"

	"prefixtune/tests/browser/browsertest"
)

var (
	root     = filepath.Join("..", "..")
	fixtures = string(gpt2.Fixtures)
)

// site serves, cross-origin isolated as the real site is, what public/
// holds once built (the engine, its worker, wasm_exec.js, the kernel pool
// and modules) and the test page and fixtures.
func site(t *testing.T) *browsertest.Server {
	t.Helper()
	wasm := filepath.Join(t.TempDir(), "engine.wasm")
	if err := browsertest.BuildWasm(wasm, "prefixtune/wasm/engine", false); err != nil {
		t.Fatal(err)
	}
	files, err := browsertest.RunnerFiles() // wasm_exec.js, pool.js, kernels*.wasm
	if err != nil {
		t.Fatal(err)
	}
	files["/"] = "testdata"
	files["/engine.wasm"] = wasm
	files["/engine.js"] = filepath.Join(root, "public", "engine.js")
	files["/engine-worker.js"] = filepath.Join(root, "public", "engine-worker.js")
	files["/fixtures/"] = fixtures
	s, err := browsertest.Serve(files, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// hub serves the reference model as repository repo of a Hugging Face-style
// hub (repo/resolve/main/file) to other origins, counting the requests,
// until stop is called.
func hub(t *testing.T, repo string, requests *atomic.Int32) (url string, stop func()) {
	t.Helper()
	files := http.FileServer(http.Dir(filepath.Join(fixtures, "model")))
	prefix := "/" + repo + "/resolve/main/"
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
		if !strings.HasPrefix(r.URL.Path, prefix) {
			http.NotFound(w, r)
			return
		}
		r.URL.Path = "/" + strings.TrimPrefix(r.URL.Path, prefix)
		files.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String(), func() { srv.Close() }
}
