package reliability

import (
	"io"
	"net"
	"net/http"
	"os"
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
			_, siteErr = browsertest.BuildSite(siteDir)
		}
	})
	if siteErr != nil {
		t.Fatalf("building the site: %v", siteErr)
	}
	return siteDir
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
