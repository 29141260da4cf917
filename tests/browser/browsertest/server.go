package browsertest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

// Server serves files over HTTP on a loopback port.
type Server struct {
	// URL is the server's root, http://127.0.0.1:port (no trailing slash).
	URL string
	srv *http.Server
}

// IsolationHeaders are the headers that make a page cross-origin isolated
// (SharedArrayBuffer, threads); the site sets them on every response.
var IsolationHeaders = map[string]string{
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Embedder-Policy": "require-corp",
	"Cross-Origin-Resource-Policy": "same-origin",
}

// Serve serves files, a map from URL path to a file or a directory on disk
// (a path ending in "/" serves a directory under it), on 127.0.0.1. With
// isolated, every response carries IsolationHeaders. Responses are never
// cached, so that a rebuilt file is always the one served.
func Serve(files map[string]string, isolated bool) (*Server, error) {
	mux := http.NewServeMux()
	for path, disk := range files {
		st, err := os.Stat(disk)
		if err != nil {
			return nil, fmt.Errorf("browsertest: serving %s: %w", path, err)
		}
		switch {
		case strings.HasSuffix(path, "/") && st.IsDir():
			mux.Handle(path, http.StripPrefix(path, http.FileServer(http.Dir(disk))))
		case !strings.HasSuffix(path, "/") && !st.IsDir():
			mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != path {
					http.NotFound(w, r)
					return
				}
				http.ServeFile(w, r, disk)
			})
		default:
			return nil, fmt.Errorf("browsertest: serving %s from %s: a URL path ending in / needs a directory, any other a file", path, disk)
		}
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if isolated {
			for k, v := range IsolationHeaders {
				h.Set(k, v)
			}
		}
		h.Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("browsertest: listening on the loopback interface: %w", err)
	}
	s := &Server{URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: handler}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "browsertest: server:", err)
		}
	}()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }
