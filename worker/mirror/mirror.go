package mirror

import (
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Files are the file names the mirror serves, with their Content-Type.
var Files = map[string]string{
	"config.json":             "application/json",
	"generation_config.json":  "application/json",
	"model.safetensors":       "application/octet-stream",
	"tokenizer.json":          "application/json",
	"tokenizer_config.json":   "application/json",
	"special_tokens_map.json": "application/json",
	"vocab.json":              "application/json",
	"merges.txt":              "text/plain; charset=utf-8",
}

const (
	// Prefix is the path the mirror answers under.
	Prefix = "/hub/"
	// DefaultUpstream is the hub mirrored when Config.Upstream is empty.
	DefaultUpstream = "https://huggingface.co"
	// DefaultMaxBytes is the largest file mirrored when Config.MaxBytes is 0.
	DefaultMaxBytes = 4 << 30
	// DefaultBranchTTL is how long a file at a branch or tag is served from
	// the cache before the hub is asked again, when Config.BranchTTL is 0.
	DefaultBranchTTL = time.Hour
)

// Config says where the mirror fetches from and where it keeps files.
type Config struct {
	Upstream  string        // base URL of the hub; "" for DefaultUpstream
	Client    *http.Client  // nil for a client with a 30 s response-header timeout
	Cache     Cache         // nil to pass files through without keeping them
	MaxBytes  int64         // largest file mirrored; 0 for DefaultMaxBytes
	BranchTTL time.Duration // 0 for DefaultBranchTTL
	ErrorLog  *log.Logger   // cache failures; nil to discard
}

// Mirror is the mirror's http.Handler.
type Mirror struct {
	upstream string
	client   *http.Client
	cache    Cache
	max      int64
	ttl      time.Duration
	log      *log.Logger
}

// New checks c and returns its mirror.
func New(c Config) (*Mirror, error) {
	m := &Mirror{upstream: c.Upstream, client: c.Client, cache: c.Cache, max: c.MaxBytes, ttl: c.BranchTTL, log: c.ErrorLog}
	if m.upstream == "" {
		m.upstream = DefaultUpstream
	}
	u, err := url.Parse(m.upstream)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("mirror upstream %q is not an http(s) base URL like %s", c.Upstream, DefaultUpstream)
	}
	m.upstream = strings.TrimSuffix(m.upstream, "/")
	if m.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 30 * time.Second
		m.client = &http.Client{Transport: t}
	}
	if m.max == 0 {
		m.max = DefaultMaxBytes
	}
	if m.ttl == 0 {
		m.ttl = DefaultBranchTTL
	}
	if m.log == nil {
		m.log = log.New(io.Discard, "", 0)
	}
	return m, nil
}

var (
	nameRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)
	revisionRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	commitRE   = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// file is one parsed mirror request.
type file struct {
	repo, revision, name string
}

// parse checks a mirror path and returns its file, or the status and
// message to answer.
func parse(p string) (file, int, string) {
	usage := "the mirror serves " + Prefix + "{owner}/{repo}/resolve/{revision}/{file} for the files " + fileList()
	seg := strings.Split(strings.TrimPrefix(p, Prefix), "/")
	if !strings.HasPrefix(p, Prefix) || len(seg) != 5 || seg[2] != "resolve" {
		return file{}, http.StatusNotFound, usage
	}
	for _, c := range []struct {
		what, name string
		re         *regexp.Regexp
	}{{"owner", seg[0], nameRE}, {"repo", seg[1], nameRE}, {"revision", seg[3], revisionRE}} {
		if !c.re.MatchString(c.name) || strings.Contains(c.name, "..") {
			return file{}, http.StatusBadRequest, fmt.Sprintf("bad %s %q: use letters, digits, '.', '_' and '-'", c.what, c.name)
		}
	}
	if _, ok := Files[seg[4]]; !ok {
		return file{}, http.StatusNotFound, fmt.Sprintf("%q is not mirrored: %s", seg[4], usage)
	}
	return file{repo: seg[0] + "/" + seg[1], revision: seg[3], name: seg[4]}, http.StatusOK, ""
}

func fileList() string {
	return strings.Join(slices.Sorted(maps.Keys(Files)), ", ")
}

// ServeHTTP serves one mirrored file from the cache or from upstream.
func (m *Mirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		fail(w, http.StatusMethodNotAllowed, "the mirror accepts GET only")
		return
	}
	if r.ContentLength != 0 {
		fail(w, http.StatusRequestEntityTooLarge, "the mirror accepts no request body")
		return
	}
	f, status, msg := parse(r.URL.Path)
	if status != http.StatusOK {
		fail(w, status, msg)
		return
	}
	key := m.upstream + "/" + f.repo + "/resolve/" + f.revision + "/" + f.name
	var stale *Entry
	if m.cache != nil {
		e, err := m.cache.Get(r.Context(), key)
		if err != nil {
			m.log.Printf("mirror: reading the cache for %s: %v", key, err)
		}
		if e != nil {
			defer e.Body.Close()
			if commitRE.MatchString(f.revision) || time.Since(e.Stored) < m.ttl {
				m.serveEntry(w, r, f, e, "hit")
				return
			}
			stale = e
		}
	}
	m.fetch(w, r, f, key, stale)
}

// cacheControl is what browsers are told: a commit never changes; a branch
// or tag is revalidated.
func cacheControl(f file) string {
	if commitRE.MatchString(f.revision) {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

// serveEntry answers with a cached file; how says which ("hit", "stale").
func (m *Mirror) serveEntry(w http.ResponseWriter, r *http.Request, f file, e *Entry, how string) {
	h := w.Header()
	for _, k := range []string{"Content-Type", "Content-Length", "ETag", "Last-Modified"} {
		if v := e.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	h.Set("Cache-Control", cacheControl(f))
	h.Set("X-Mirror-Cache", how)
	if tag := e.Header.Get("ETag"); tag != "" && etagMatch(r.Header.Get("If-None-Match"), tag) {
		h.Del("Content-Length")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, e.Body); err != nil {
		m.log.Printf("mirror: serving %s/%s from the cache: %v", f.repo, f.name, err)
	}
}

// etagMatch is the weak comparison of If-None-Match against tag.
func etagMatch(ifNoneMatch, tag string) bool {
	tag = strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// fetch streams the file from upstream to the client and into the cache.
// When upstream fails and a stale copy exists, the copy is served.
func (m *Mirror) fetch(w http.ResponseWriter, r *http.Request, f file, key string, stale *Entry) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, key, nil)
	if err != nil {
		fail(w, http.StatusInternalServerError, err.Error())
		return
	}
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", "prefixtune-mirror")
	resp, err := m.client.Do(req)
	if err == nil && resp.StatusCode >= 500 {
		resp.Body.Close()
		err = fmt.Errorf("the hub answered %s", resp.Status)
	}
	if err != nil {
		if stale != nil {
			m.serveEntry(w, r, f, stale, "stale")
			return
		}
		fail(w, http.StatusBadGateway, fmt.Sprintf("the hub could not be reached for %s/%s: %v", f.repo, f.name, err))
		return
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound:
		fail(w, http.StatusNotFound, fmt.Sprintf("%s at %s has no %s on the hub, or it is not public (%s): only public models can be mirrored", f.repo, f.revision, f.name, resp.Status))
		return
	case resp.StatusCode != http.StatusOK:
		fail(w, http.StatusBadGateway, fmt.Sprintf("the hub answered %s for %s/%s", resp.Status, f.repo, f.name))
		return
	case resp.ContentLength > m.max:
		fail(w, http.StatusBadGateway, fmt.Sprintf("%s/%s is %d bytes, more than the mirror's limit of %d", f.repo, f.name, resp.ContentLength, m.max))
		return
	}
	meta := http.Header{}
	meta.Set("Content-Type", Files[f.name])
	if resp.ContentLength >= 0 {
		meta.Set("Content-Length", fmt.Sprint(resp.ContentLength))
	}
	for _, k := range []string{"ETag", "Last-Modified"} {
		if v := resp.Header.Get(k); v != "" {
			meta.Set(k, v)
		}
	}
	var cw Writer
	if m.cache != nil {
		if cw, err = m.cache.Put(r.Context(), key, meta); err != nil {
			m.log.Printf("mirror: caching %s: %v", key, err)
			cw = nil
		}
	}
	h := w.Header()
	for k, v := range meta {
		h[k] = v
	}
	h.Set("Cache-Control", cacheControl(f))
	h.Set("X-Mirror-Cache", "miss")
	w.WriteHeader(http.StatusOK)
	n, cw, err := m.stream(w, resp.Body, cw)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("got %d of %d bytes", n, resp.ContentLength)
	}
	if cw == nil {
		return
	}
	if err != nil {
		cw.Abort()
		m.log.Printf("mirror: %s not cached: %v", key, err)
		return
	}
	if err := cw.Commit(); err != nil {
		m.log.Printf("mirror: caching %s: %v", key, err)
	}
}

// stream copies body to the client and to cw (when not nil) as it arrives,
// and returns cw, or nil if the cache failed (it is then aborted and the
// client still gets everything). A failing client or upstream ends the copy
// with an error.
func (m *Mirror) stream(w io.Writer, body io.Reader, cw Writer) (int64, Writer, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, rerr := body.Read(buf)
		if k > 0 {
			if _, err := w.Write(buf[:k]); err != nil {
				return n, cw, fmt.Errorf("writing to the client: %w", err)
			}
			n += int64(k)
			if cw != nil {
				var err error
				if n > m.max {
					err = fmt.Errorf("more than %d bytes", m.max)
				} else {
					_, err = cw.Write(buf[:k])
				}
				if err != nil {
					m.log.Printf("mirror: not caching: %v", err)
					cw.Abort()
					cw = nil
				}
			}
		}
		if errors.Is(rerr, io.EOF) {
			return n, cw, nil
		}
		if rerr != nil {
			return n, cw, fmt.Errorf("reading from the hub: %w", rerr)
		}
	}
}

// fail writes a short plain-text error that no cache keeps.
func fail(w http.ResponseWriter, code int, msg string) {
	body := msg + "\n"
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	io.WriteString(w, body)
}
