package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"prefixtune/worker/site"
)

// TestServe starts `prefixtune serve` on a random loopback port with a
// loopback hub, checks a page and a mirrored file, then stops it with SIGINT.
func TestServe(t *testing.T) {
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/o/r/resolve/main/config.json" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"n_layer":2}`)
	}))
	defer hub.Close()

	dir := t.TempDir()
	page, err := os.ReadFile(filepath.Join("..", "..", "worker", "testdata", "site", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "private.txt")
	for name, b := range map[string][]byte{filepath.Join(dir, "index.html"): page, outside: []byte("private")} {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "leak.txt")); err != nil {
		t.Fatal(err)
	}

	pr, pw := io.Pipe()
	var errOut strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- serve([]string{"--addr", "127.0.0.1:0", "--dir", dir,
			"--hub", hub.URL, "--hub-cache", t.TempDir()}, nil, pw, &errOut)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	urls := make(chan string, 1)
	go func() {
		if lines.Scan() {
			urls <- lines.Text()
		}
		close(urls)
		io.Copy(io.Discard, pr)
	}()
	var base string
	select {
	case line := <-urls:
		i := strings.Index(line, "http://127.0.0.1:")
		if i < 0 {
			t.Fatalf("serve printed %q, want its loopback URL; stderr: %s", line, errOut.String())
		}
		base = strings.Fields(line[i:])[0]
	case err := <-done:
		t.Fatalf("serve stopped: %v; stderr: %s", err, errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve printed no URL within 10 s")
	}

	client := &http.Client{Timeout: 10 * time.Second}
	for path, want := range map[string]string{"": "Prefixtune server test page", "hub/o/r/resolve/main/config.json": `{"n_layer":2}`} {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET /%s: %d %q", path, resp.StatusCode, body)
		}
		for k, v := range site.Headers([]string{hub.URL}) {
			if got := resp.Header.Get(k); got != v[0] {
				t.Errorf("GET /%s: %s = %q, want %q", path, k, got, v[0])
			}
		}
	}
	resp, err := client.Get(base + "leak.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a symbolic link out of --dir: %d, want 404", resp.StatusCode)
	}
	resp, err = client.Post(base, "text/plain", strings.NewReader("data"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGINT: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGINT")
	}
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--dir", filepath.Join(t.TempDir(), "missing")},
		{"--dir", t.TempDir(), "--hub", "ftp://example.org", "--hub-cache", t.TempDir()},
		{"--dir", t.TempDir(), "--hub", "", "--addr", "127.0.0.1:notaport"},
		{"--dir", t.TempDir(), "--hub", "", "extra"},
	} {
		if err := serve(args, nil, io.Discard, io.Discard); err == nil {
			t.Errorf("serve %q: no error", args)
		}
	}
}
