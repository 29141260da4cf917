package reliability

import (
	"os"
	"sync"
	"testing"

	"prefixtune/tests/browser/apptest"
	"prefixtune/tests/browser/browsertest"
	"prefixtune/worker/site"
)

// The site is built once for all the tests of the package, and removed by
// TestMain.
var (
	siteOnce sync.Once
	siteDir  string
	siteErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if siteDir != "" {
		os.RemoveAll(siteDir)
	}
	os.Exit(code)
}

// buildSite returns the folder of the site, built on first use: public/
// with ui.wasm and engine.wasm built for GOOS=js, the toolchain's
// wasm_exec.js, the kernel pool and its modules, as `make web` makes it.
func buildSite(t *testing.T) string {
	t.Helper()
	siteOnce.Do(func() {
		if siteDir, siteErr = os.MkdirTemp("", "prefixtune-reliability-"); siteErr == nil {
			_, siteErr = browsertest.BuildSite(siteDir)
		}
	})
	if siteErr != nil {
		t.Fatalf("building the site: %v", siteErr)
	}
	return siteDir
}

// serve serves the site folder dir with worker/site's handler, as
// `prefixtune serve` does, and records every request.
func serve(t *testing.T, dir string) *apptest.Recorder {
	t.Helper()
	return apptest.ServeSite(t, dir, site.Config{HubOrigins: site.DefaultHubOrigins, Compress: true})
}
