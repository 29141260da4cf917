package site

import (
	"io/fs"
	"net/http"
	"strings"
)

// Config says what a site serves.
type Config struct {
	// Static holds the files served at / (public/ locally). Nil at the
	// edge, where Cloudflare serves the files itself.
	Static fs.FS
	// Mirror serves /hub/... (worker/mirror); nil for no mirror.
	Mirror http.Handler
	// HubOrigins are the origins besides 'self' the page may connect to
	// (CSP connect-src), usually DefaultHubOrigins; nil for none.
	HubOrigins []string
	// Compress gzips compressible responses for clients that accept it.
	// Off at the edge: the Workers runtime compresses by itself and would
	// compress twice.
	Compress bool
}

type handler struct {
	headers  http.Header
	static   http.Handler
	mirror   http.Handler
	compress bool
}

// New returns the site handler: every response carries Headers(HubOrigins);
// only GET and HEAD without a body are accepted (405 with Allow otherwise,
// 413 for a body); /hub/ goes to the mirror, the rest to the static files.
func New(c Config) (http.Handler, error) {
	if err := CheckOrigins(c.HubOrigins); err != nil {
		return nil, err
	}
	h := &handler{headers: Headers(c.HubOrigins), mirror: c.Mirror, compress: c.Compress}
	if c.Static != nil {
		h.static = newStatic(c.Static)
	}
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := w.Header()
	for k, v := range h.headers {
		out[k] = append([]string(nil), v...)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		out.Set("Allow", "GET, HEAD")
		fail(w, http.StatusMethodNotAllowed, "only GET and HEAD are accepted: this site never receives data")
		return
	}
	if r.ContentLength != 0 {
		fail(w, http.StatusRequestEntityTooLarge, "requests with a body are refused: this site never receives data")
		return
	}
	if h.compress {
		gw := newGzipWriter(w, r)
		defer gw.close()
		w = gw
	}
	switch {
	case h.mirror != nil && strings.HasPrefix(r.URL.Path, "/hub/"):
		h.mirror.ServeHTTP(w, r)
	case h.static != nil:
		h.static.ServeHTTP(w, r)
	default:
		fail(w, http.StatusNotFound, "not found")
	}
}
