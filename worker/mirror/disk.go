package mirror

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Disk is a Cache in a folder: for each key, <sha256(key)>.data holds the
// body and <sha256(key)>.json its headers. Bodies are written to a temporary
// file and renamed into place on Commit, then the .json is written the same
// way, so a crash never leaves a partial file that Get would serve.
type Disk struct {
	Dir string
}

// diskMeta is the .json beside a body.
type diskMeta struct {
	Key    string      `json:"key"`
	Header http.Header `json:"header"`
	Stored time.Time   `json:"stored"`
	Size   int64       `json:"size"`
}

// NewDisk returns a disk cache in dir, creating it.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("mirror cache folder: %w", err)
	}
	return &Disk{Dir: dir}, nil
}

func (d *Disk) base(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(d.Dir, hex.EncodeToString(sum[:]))
}

// Get implements Cache. A missing, mismatched or truncated entry is a miss.
func (d *Disk) Get(_ context.Context, key string) (*Entry, error) {
	base := d.base(key)
	b, err := os.ReadFile(base + ".json")
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m diskMeta
	if err := json.Unmarshal(b, &m); err != nil || m.Key != key {
		return nil, nil
	}
	f, err := os.Open(base + ".data")
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || fi.Size() != m.Size {
		f.Close()
		return nil, nil
	}
	if m.Header == nil {
		m.Header = http.Header{}
	}
	m.Header.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	return &Entry{Header: m.Header, Stored: m.Stored, Body: f}, nil
}

// Put implements Cache.
func (d *Disk) Put(_ context.Context, key string, h http.Header) (Writer, error) {
	f, err := os.CreateTemp(d.Dir, "fill-*")
	if err != nil {
		return nil, fmt.Errorf("mirror cache: %w", err)
	}
	return &diskWriter{d: d, key: key, h: h.Clone(), f: f}, nil
}

type diskWriter struct {
	d    *Disk
	key  string
	h    http.Header
	f    *os.File
	size int64
}

func (w *diskWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.size += int64(n)
	return n, err
}

func (w *diskWriter) Abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

func (w *diskWriter) Commit() error {
	base := w.d.base(w.key)
	err := w.f.Close()
	if rmErr := os.Remove(base + ".json"); rmErr != nil && !os.IsNotExist(rmErr) {
		err = rmErr
	}
	if err == nil {
		err = os.Rename(w.f.Name(), base+".data")
	}
	if err != nil {
		os.Remove(w.f.Name())
		return fmt.Errorf("mirror cache: %w", err)
	}
	b, err := json.Marshal(diskMeta{Key: w.key, Header: w.h, Stored: time.Now().UTC(), Size: w.size})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(w.d.Dir, "meta-*")
	if err != nil {
		return fmt.Errorf("mirror cache: %w", err)
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), base+".json")
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("mirror cache: %w", err)
	}
	return nil
}
