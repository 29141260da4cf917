package reliability

import (
	"os"
	"testing"

	"prefixtune/tests/browser/apptest"
	"prefixtune/worker/site"
)

// web is the site, built once for the package's tests and removed by
// TestMain.
var web apptest.Site

func TestMain(m *testing.M) {
	code := m.Run()
	web.Remove()
	os.Exit(code)
}

// serve serves the site folder dir with worker/site's handler, as
// `prefixtune serve` does, and records every request.
func serve(t *testing.T, dir string) *apptest.Recorder {
	t.Helper()
	return apptest.ServeSite(t, dir, site.Config{HubOrigins: site.DefaultHubOrigins, Compress: true})
}
