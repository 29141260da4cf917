package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
)

// env is the render lock of a page without a renderer: renders counts the
// renders that were asked for.
type env struct {
	sync.RWMutex
	renders int
}

func (e *env) UnlockOnly()   { e.Unlock() }
func (e *env) UnlockRender() { e.renders++; e.Unlock() }

var _ vugu.EventEnv = (*env)(nil)

// host is a browser for the tests: files are names with contents, fetches
// come from site, posted requests are kept for the test to answer.
type host struct {
	mu    sync.Mutex
	site  map[string]string // URL path -> content
	posts []posted
	saved map[string][]byte
	// cleared is what ClearStorage says it removed.
	cleared Cleared
}

// posted is one request the app sent, decoded, with its files' names.
type posted struct {
	id    uint64
	req   protocol.Request
	files []string
}

func newHost() *host { return &host{site: map[string]string{}, saved: map[string][]byte{}} }

func (h *host) Post(msg []byte, files []File) {
	id, r, err := protocol.DecodeRequest(msg)
	if err != nil {
		panic(fmt.Sprintf("the app posted a request the engine cannot read: %s: %v", msg, err))
	}
	p := posted{id: id, req: r}
	for _, f := range files {
		p.files = append(p.files, f.Name)
	}
	h.mu.Lock()
	h.posts = append(h.posts, p)
	h.mu.Unlock()
}

func (h *host) ReadText(f File, max int) (string, error) {
	s := f.ref.(string)
	return s[:min(len(s), max)], nil
}

func (h *host) ReadBytes(f File, max int) ([]byte, error) {
	s, err := h.ReadText(f, max)
	return []byte(s), err
}

func (h *host) Fetch(url, name string) (File, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.site[url]
	if !ok {
		return File{}, fmt.Errorf("%s: HTTP 404", url)
	}
	return file(name, s), nil
}

func (h *host) NewFile(name string, data []byte) File { return file(name, string(data)) }

func (h *host) Save(name, mime string, data []byte) {
	h.mu.Lock()
	h.saved[name] = data
	h.mu.Unlock()
}

func (h *host) Origin() string { return "http://127.0.0.1:8080" }

func (h *host) EventFiles(vugu.DOMEvent) []File { return nil }

// ClearStorage reports clearing what cleared holds.
func (h *host) ClearStorage() (Cleared, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cleared, nil
}

func file(name, content string) File {
	return File{Name: name, Size: int64(len(content)), ref: content}
}

// harness is an app over the fake host, with the test as its engine.
type harness struct {
	t    *testing.T
	app  *App
	host *host
	env  *env
	seen int // requests already taken by next
}

func newHarness(t *testing.T) *harness {
	h := &harness{t: t, host: newHost(), env: &env{}}
	for _, n := range modelFiles {
		h.host.site[DemoModel+n] = "demo " + n
	}
	for _, s := range Samples {
		h.host.site["/datasets/"+s.Name+"/train.jsonl"] = `{"prompt":"word: a\ndefinition:","completion":" the first letter"}` + "\n"
		h.host.site["/datasets/"+s.Name+"/validation.jsonl"] = `{"prompt":"word: b\ndefinition:","completion":" the second letter"}` + "\n"
		h.host.site["/datasets/"+s.Name+"/test.jsonl"] = `{"prompt":"word: c\ndefinition:","completion":" the third letter"}` + "\n"
	}
	h.app = NewApp(h.host, h.env)
	h.app.PrefetchSamples()
	h.deliver(0, protocol.Ready{Caps: protocol.Caps{SIMD: true, Threads: 2}, Device: "test"})
	id, _, _ := next[protocol.ListCheckpoints](h)
	h.deliver(id, protocol.Checkpoints{})
	return h
}

// do runs f as an event handler does: with the lock held.
func (h *harness) do(f func(a *App)) {
	h.env.Lock()
	defer h.env.UnlockRender()
	f(h.app)
}

// deliver sends an event from the engine about request id.
func (h *harness) deliver(id uint64, e protocol.Event) {
	h.t.Helper()
	msg, err := protocol.EncodeEvent(id, e)
	if err != nil {
		h.t.Fatal(err)
	}
	h.app.client.Deliver(msg)
}

// next waits for the app's next request, which must be of type T.
func next[T protocol.Request](h *harness) (uint64, T, []string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.host.mu.Lock()
		n := len(h.host.posts)
		h.host.mu.Unlock()
		if n > h.seen || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	h.host.mu.Lock()
	defer h.host.mu.Unlock()
	var zero T
	if len(h.host.posts) <= h.seen {
		h.t.Fatalf("the app sent no %T request", zero)
	}
	p := h.host.posts[h.seen]
	h.seen++
	r, ok := p.req.(T)
	if !ok {
		h.t.Fatalf("the app sent %T, want %T", p.req, zero)
	}
	return p.id, r, p.files
}

// until waits for a condition on the app, checked with the lock held.
func (h *harness) until(what string, cond func(a *App) bool) {
	h.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		h.env.RLock()
		ok := cond(h.app)
		h.env.RUnlock()
		if ok {
			return
		}
	}
	h.t.Fatalf("timed out waiting for %s", what)
}

// quiet checks that the app sent nothing more.
func (h *harness) quiet() {
	h.t.Helper()
	time.Sleep(20 * time.Millisecond)
	h.host.mu.Lock()
	defer h.host.mu.Unlock()
	if extra := h.host.posts[h.seen:]; len(extra) > 0 {
		var types []string
		for _, p := range extra {
			types = append(types, p.req.RequestType())
		}
		h.t.Fatalf("the app sent %s unasked", strings.Join(types, ", "))
	}
}
