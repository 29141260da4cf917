package site

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// minCompress is the smallest body, when its length is known, worth gzipping.
const minCompress = 1024

var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// gzipWriter decides at WriteHeader whether to gzip the body: only a 200 of
// a compressible type that has no Content-Encoding or Content-Range of its own
// and is not known to be tiny, and only if the client accepts gzip.
// Compressible responses always get Vary: Accept-Encoding.
type gzipWriter struct {
	http.ResponseWriter
	accept  bool // the client accepts gzip
	head    bool // HEAD: headers only, no gzip stream
	decided bool
	gz      *gzip.Writer // non-nil while compressing
}

func newGzipWriter(w http.ResponseWriter, r *http.Request) *gzipWriter {
	return &gzipWriter{ResponseWriter: w, accept: acceptsGzip(r.Header.Values("Accept-Encoding")), head: r.Method == http.MethodHead}
}

func (w *gzipWriter) WriteHeader(code int) {
	if w.decided || code < 200 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.decided = true
	h := w.Header()
	if compressible(h.Get("Content-Type")) {
		h.Add("Vary", "Accept-Encoding")
		n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
		small := err == nil && n < minCompress
		if w.accept && code == http.StatusOK && !small && h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			if tag := h.Get("ETag"); strings.HasPrefix(tag, `"`) {
				h.Set("ETag", "W/"+tag) // the gzipped bytes differ; the content is the same
			}
			if !w.head {
				w.gz = gzipPool.Get().(*gzip.Writer)
				w.gz.Reset(w.ResponseWriter)
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends what is compressed so far, for streamed responses.
func (w *gzipWriter) Flush() {
	if w.gz != nil {
		w.gz.Flush()
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// close ends the gzip stream, if any.
func (w *gzipWriter) close() error {
	if w.gz == nil {
		return nil
	}
	err := w.gz.Close()
	w.gz.Reset(nil)
	gzipPool.Put(w.gz)
	w.gz = nil
	return err
}

// acceptsGzip reports whether Accept-Encoding values allow gzip with a
// non-zero quality, by name or, when gzip is not named, by "*".
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "q") {
					q, _ = strconv.ParseFloat(strings.TrimSpace(val), 64)
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
