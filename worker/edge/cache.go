//go:build js && wasm

package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/cache"

	"prefixtune/worker/mirror"
)

// storedHeader records, on a cached response, when it was stored.
const storedHeader = "X-Mirror-Stored"

// apiCache is a mirror.Cache on the Cloudflare Cache API, keyed by the
// upstream URL. The Cache API is per data centre and does nothing on
// *.workers.dev hosts; there the mirror is a pass-through.
type apiCache struct{ c *cache.Cache }

// Get implements mirror.Cache.
func (a apiCache) Get(ctx context.Context, key string) (*mirror.Entry, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, key, nil)
	if err != nil {
		return nil, err
	}
	res, err := a.c.Match(req, nil)
	if errors.Is(err, cache.ErrCacheNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Length", "ETag", "Last-Modified"} {
		if v := res.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	stored, _ := time.Parse(time.RFC3339, res.Header.Get(storedHeader))
	return &mirror.Entry{Header: h, Stored: stored, Body: res.Body}, nil
}

// Put implements mirror.Cache: the body streams through a pipe into
// cache.put, which stores it only if the stream ends without error.
func (a apiCache) Put(ctx context.Context, key string, h http.Header) (mirror.Writer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, key, nil)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	hdr := h.Clone()
	hdr.Set("Cache-Control", "public, max-age=31536000")
	hdr.Set(storedHeader, time.Now().UTC().Format(time.RFC3339))
	n, _ := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	res := &http.Response{StatusCode: http.StatusOK, Header: hdr, Body: pr, ContentLength: n}
	done := make(chan error, 1)
	go func() {
		err := a.c.Put(req, res)
		pr.CloseWithError(errors.Join(err, errPutEnded))
		done <- err
	}()
	return &apiWriter{pw: pw, done: done}, nil
}

var (
	errPutEnded = errors.New("mirror: the cache stopped reading")
	errAborted  = errors.New("mirror: cache write aborted")
)

type apiWriter struct {
	pw   *io.PipeWriter
	done chan error
}

func (w *apiWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

func (w *apiWriter) Commit() error {
	w.pw.Close()
	return <-w.done
}

func (w *apiWriter) Abort() {
	w.pw.CloseWithError(errAborted)
	<-w.done
}
