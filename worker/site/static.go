package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// staticCacheControl makes browsers revalidate every static file (names are
// not content-hashed) with If-None-Match / If-Modified-Since.
const staticCacheControl = "no-cache"

// hidden are root files that configure Cloudflare and are not content.
var hidden = map[string]bool{"_headers": true, "_redirects": true}

// static serves the files of an fs.FS.
type static struct {
	fsys fs.FS

	mu    sync.Mutex
	etags map[string]etag // by file name; recomputed when size or time change
}

type etag struct {
	size int64
	mod  time.Time
	tag  string
}

func newStatic(fsys fs.FS) *static { return &static{fsys: fsys, etags: map[string]etag{}} }

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, status := cleanPath(r.URL.Path)
	if status != http.StatusOK {
		fail(w, status, http.StatusText(status))
		return
	}
	folder := strings.HasSuffix(r.URL.Path, "/")
	f, fi, err := s.open(name)
	switch {
	case err == nil && fi.IsDir():
		f.Close()
		if !folder {
			u := url.PathEscape(path.Base(r.URL.Path)) + "/"
			if r.URL.RawQuery != "" {
				u += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", u)
			fail(w, http.StatusMovedPermanently, "this is a folder: "+u)
			return
		}
		name = path.Join(name, "index.html")
		f, fi, err = s.open(name)
	case err == nil && folder:
		f.Close()
		err = fs.ErrNotExist // a file is not a folder
	}
	if err != nil || !fi.Mode().IsRegular() {
		if err == nil {
			f.Close()
		}
		fail(w, http.StatusNotFound, "not found")
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			fail(w, http.StatusInternalServerError, fmt.Sprintf("reading %s: %v", name, err))
			return
		}
		rs = bytes.NewReader(b)
	}
	tag, err := s.etag(name, fi, rs)
	if err != nil {
		fail(w, http.StatusInternalServerError, fmt.Sprintf("reading %s: %v", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", ContentType(name))
	h.Set("Cache-Control", staticCacheControl)
	h.Set("ETag", tag)
	http.ServeContent(w, r, "", fi.ModTime(), rs)
}

func (s *static) open(name string) (fs.File, fs.FileInfo, error) {
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// etag returns the weak ETag of a file, W/"<base64 SHA-256 prefix>", hashing
// it only when it is new or its size or modification time changed. Weak,
// because gzipped and identity bodies share it.
func (s *static) etag(name string, fi fs.FileInfo, rs io.ReadSeeker) (string, error) {
	s.mu.Lock()
	e, ok := s.etags[name]
	s.mu.Unlock()
	if ok && e.size == fi.Size() && e.mod.Equal(fi.ModTime()) {
		return e.tag, nil
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, rs); err != nil {
		return "", err
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `W/"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:18]) + `"`
	s.mu.Lock()
	s.etags[name] = etag{fi.Size(), fi.ModTime(), tag}
	s.mu.Unlock()
	return tag, nil
}

// cleanPath turns a URL path into a file name of the fs.FS ("." for the
// root), or says why it cannot: 400 for paths that are not clean (empty, "."
// or ".." segments, backslashes, NUL), 404 for dotfiles and hidden files.
// Nothing is cleaned silently: a path means exactly one file or none.
func cleanPath(p string) (string, int) {
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return "", http.StatusBadRequest
	}
	name := strings.TrimSuffix(p[1:], "/")
	if name == "" {
		return ".", http.StatusOK
	}
	for _, seg := range strings.Split(name, "/") {
		switch {
		case seg == "" || seg == "." || seg == "..":
			return "", http.StatusBadRequest
		case strings.HasPrefix(seg, "."):
			return "", http.StatusNotFound
		}
	}
	if !fs.ValidPath(name) {
		return "", http.StatusBadRequest
	}
	if hidden[name] {
		return "", http.StatusNotFound
	}
	return name, http.StatusOK
}

// fail writes a short plain-text error that no cache keeps.
func fail(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	for _, k := range []string{"ETag", "Last-Modified", "Content-Encoding", "Content-Range"} {
		h.Del(k)
	}
	body := msg + "\n"
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	io.WriteString(w, body)
}
