package apptest

import (
	"os"
	"sync"
	"testing"

	"prefixtune/tests/browser/browsertest"
)

// Site is the web app built once for all the tests of a package (as
// `make web` builds public/, see browsertest.BuildSite) into a temporary
// folder, which the package's TestMain removes.
type Site struct {
	once       sync.Once
	dir, model string
	err        error
}

// Build returns the site's folder and the folder of the bundled model in
// it, building them on first use.
func (s *Site) Build(t *testing.T) (dir, model string) {
	t.Helper()
	s.once.Do(func() {
		if s.dir, s.err = os.MkdirTemp("", "prefixtune-site-"); s.err == nil {
			s.model, s.err = browsertest.BuildSite(s.dir)
		}
	})
	if s.err != nil {
		t.Fatalf("building the site: %v", s.err)
	}
	return s.dir, s.model
}

// Dir is the site's folder, built on first use.
func (s *Site) Dir(t *testing.T) string {
	t.Helper()
	dir, _ := s.Build(t)
	return dir
}

// Remove deletes the built site, if any.
func (s *Site) Remove() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}
