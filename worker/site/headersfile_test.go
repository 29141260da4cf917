package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeadersFileInStep fails when public/_headers, which Cloudflare applies
// to static assets, says something else than this package.
func TestHeadersFileInStep(t *testing.T) {
	path := filepath.Join("..", "..", "public", "_headers")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: generate it from the repository root with `go run ./worker/cmd/genheaders`", err)
	}
	if want := HeadersFile(DefaultHubOrigins); string(got) != want {
		t.Fatalf("public/_headers is out of step with worker/site: regenerate it from the repository root with `go run ./worker/cmd/genheaders`\n--- have\n%s--- want\n%s", got, want)
	}
}

func TestHeadersFileHasEveryHeader(t *testing.T) {
	f := HeadersFile(DefaultHubOrigins)
	h := Headers(DefaultHubOrigins)
	if len(headerOrder) != len(h) {
		t.Errorf("headerOrder has %d headers, Headers %d", len(headerOrder), len(h))
	}
	for k, v := range h {
		if !strings.Contains(f, "\n  "+k+": "+v[0]+"\n") {
			t.Errorf("_headers lacks %s: %s", k, v[0])
		}
	}
	for _, line := range strings.Split(f, "\n") {
		if len(line) > 2000 {
			t.Errorf("line of %d characters; Cloudflare reads at most 2000", len(line))
		}
	}
	for _, ty := range types {
		rule := "/*" + ty.ext + "\n  Content-Type: " + ty.typ + "\n"
		if strings.Contains(f, rule) != ty.edge {
			t.Errorf("%s: rule present %v, want %v", ty.ext, !ty.edge, ty.edge)
		}
	}
}
