package app

import (
	"archive/zip"
	"io"
	"io/fs"
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
	siteOnce  sync.Once
	siteDir   string
	siteModel string
	siteErr   error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if siteDir != "" {
		os.RemoveAll(siteDir)
	}
	os.Exit(code)
}

// buildSite returns the folder of the site, built on first use, and the
// folder of the bundled model in it.
func buildSite(t *testing.T) (dir, model string) {
	t.Helper()
	siteOnce.Do(func() {
		if siteDir, siteErr = os.MkdirTemp("", "prefixtune-site-"); siteErr == nil {
			siteModel, siteErr = browsertest.BuildSite(siteDir)
		}
	})
	if siteErr != nil {
		t.Fatalf("building the site: %v", siteErr)
	}
	return siteDir, siteModel
}

// request is one request the server received.
type request struct {
	At     time.Time
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// server serves the site with worker/site's handler (as `prefixtune
// serve` does, with mirror, if not nil, in place of its hub mirror) on a
// loopback port and logs every request.
type server struct {
	URL string
	srv *http.Server

	mu   sync.Mutex
	reqs []request
}

func serve(t *testing.T, dir string, mirror http.Handler) *server {
	t.Helper()
	h, err := site.New(site.Config{Static: os.DirFS(dir), Mirror: mirror, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{URL: "http://" + ln.Addr().String()}
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

// requests returns the requests so far.
func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

// unzip extracts the regular files of a zip into dir.
func unzipTo(t *testing.T, zipPath, dir string) []string {
	t.Helper()
	fsys, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatalf("the adapter download is not a zip: %v", err)
	}
	defer fsys.Close()
	var names []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	})
	if err != nil {
		t.Fatalf("reading the adapter zip: %v", err)
	}
	return names
}
