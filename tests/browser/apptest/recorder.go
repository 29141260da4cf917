package apptest

import (
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"prefixtune/worker/site"
)

// Request is one request a Recorder received.
type Request struct {
	At     time.Time
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Recorder is a loopback HTTP server that logs every request it gets
// (WebSocket handshakes included, and the first MiB of bodies) before
// handing it to its handler.
type Recorder struct {
	URL string // http://127.0.0.1:port
	srv *http.Server

	mu   sync.Mutex
	reqs []Request
}

// Record serves h on a loopback port until the test ends.
func Record(t *testing.T, h http.Handler) *Recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Recorder{URL: "http://" + ln.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{time.Now(), r.Method, r.URL.String(), r.Header.Clone(), body})
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// ServeSite serves the site folder dir with worker/site's handler, as
// `prefixtune serve` does, configured by c (its Static is dir).
func ServeSite(t *testing.T, dir string, c site.Config) *Recorder {
	t.Helper()
	c.Static = os.DirFS(dir)
	h, err := site.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return Record(t, h)
}

// Requests returns the requests so far.
func (s *Recorder) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}
