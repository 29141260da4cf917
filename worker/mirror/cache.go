package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// An Entry is one cached file: the response headers the mirror serves
// (Content-Type, ETag, Last-Modified as the hub sent them, and the
// Content-Length of the stored body), when it was stored, and the body,
// which the caller closes.
type Entry struct {
	Header http.Header
	Stored time.Time
	Body   io.ReadCloser
}

// A Cache keeps complete upstream files by key (the upstream URL).
type Cache interface {
	// Get returns the entry stored under key, or nil and no error when
	// there is none.
	Get(ctx context.Context, key string) (*Entry, error)
	// Put starts storing a file under key with the given headers; the body
	// is written to the returned Writer as it streams to the client.
	Put(ctx context.Context, key string, h http.Header) (Writer, error)
}

// A Writer receives one body for a Cache. Nothing is visible to Get until
// Commit; Abort drops what was written. Exactly one of them is called.
type Writer interface {
	io.Writer
	Commit() error
	Abort()
}

// Memory is a Cache in memory holding at most Max bytes of bodies; the
// oldest entries go first, and a body larger than Max is not kept.
type Memory struct {
	Max int64

	mu      sync.Mutex
	entries map[string]*memEntry
	order   []string // keys, oldest first
	size    int64
}

type memEntry struct {
	h      http.Header
	stored time.Time
	data   []byte
}

// errTooLarge is what a Memory writer says past Max bytes.
var errTooLarge = errors.New("mirror: file too large for the memory cache")

// NewMemory returns an empty memory cache of max bytes.
func NewMemory(max int64) *Memory { return &Memory{Max: max, entries: map[string]*memEntry{}} }

// Get implements Cache.
func (m *Memory) Get(_ context.Context, key string) (*Entry, error) {
	m.mu.Lock()
	e := m.entries[key]
	m.mu.Unlock()
	if e == nil {
		return nil, nil
	}
	h := e.h.Clone()
	h.Set("Content-Length", strconv.Itoa(len(e.data)))
	return &Entry{Header: h, Stored: e.stored, Body: io.NopCloser(bytes.NewReader(e.data))}, nil
}

// Put implements Cache.
func (m *Memory) Put(_ context.Context, key string, h http.Header) (Writer, error) {
	return &memWriter{m: m, key: key, h: h.Clone()}, nil
}

type memWriter struct {
	m    *Memory
	key  string
	h    http.Header
	data []byte
}

func (w *memWriter) Write(p []byte) (int, error) {
	if int64(len(w.data)+len(p)) > w.m.Max {
		return 0, errTooLarge
	}
	w.data = append(w.data, p...)
	return len(p), nil
}

func (w *memWriter) Abort() { w.data = nil }

func (w *memWriter) Commit() error {
	m := w.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.entries[w.key]; old != nil {
		m.size -= int64(len(old.data))
		m.drop(w.key)
	}
	for m.size+int64(len(w.data)) > m.Max && len(m.order) > 0 {
		oldest := m.order[0]
		m.size -= int64(len(m.entries[oldest].data))
		m.drop(oldest)
	}
	if m.size+int64(len(w.data)) > m.Max {
		return fmt.Errorf("mirror: %d bytes do not fit a memory cache of %d", len(w.data), m.Max)
	}
	m.entries[w.key] = &memEntry{h: w.h, stored: time.Now(), data: w.data}
	m.order = append(m.order, w.key)
	m.size += int64(len(w.data))
	return nil
}

// drop forgets key; the caller holds m.mu and has adjusted m.size.
func (m *Memory) drop(key string) {
	delete(m.entries, key)
	for i, k := range m.order {
		if k == key {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
}
