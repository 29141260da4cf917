package app

import (
	"archive/zip"
	"context"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

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

// serve serves the site with worker/site's handler (as `prefixtune
// serve` does, with mirror, if not nil, in place of its hub mirror) and
// records every request.
func serve(t *testing.T, dir string, mirror http.Handler) *apptest.Recorder {
	t.Helper()
	return apptest.ServeSite(t, dir, site.Config{Mirror: mirror, Compress: true})
}

// open opens the site and waits for the engine and the sample datasets;
// the page must be cross-origin isolated.
func open(t *testing.T, ctx context.Context, url string) *apptest.Page {
	t.Helper()
	p := apptest.Open(t, ctx, url, apptest.Options{})
	p.Samples()
	if !apptest.Eval[bool](p, `crossOriginIsolated`) {
		p.Fail("the page is not cross-origin isolated")
	}
	return p
}

// allowDownloads lets the tab save downloads into a fresh folder; the
// function it returns waits for the next download and returns its path.
func allowDownloads(t *testing.T, p *apptest.Page) func() string {
	t.Helper()
	dir := t.TempDir()
	progress := chromedp.Events(p.Ctx, browser.DownloadProgress) // sent to the session that allows downloads
	p.Do("allowing downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		yes := true
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
		return err
	}))
	return func() string {
		t.Helper()
		for ev, err := range progress {
			if err != nil {
				p.Fail("waiting for the download: %v", err)
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				return filepath.Join(dir, ev.GUID)
			}
		}
		p.Fail("the tab closed before the download ended")
		return ""
	}
}

// unzip extracts the regular files of a zip into dir.
func unzipTo(t *testing.T, zipPath, dir string) []string {
	t.Helper()
	fsys, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatalf("the adapter download is not a zip: %v", err)
	}
	defer fsys.Close()
	var names []string
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	})
	if err != nil {
		t.Fatalf("reading the adapter zip: %v", err)
	}
	return names
}
