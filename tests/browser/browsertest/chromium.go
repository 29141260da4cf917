package browsertest

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// chromiumFlags are the only flags Chromium is started with, besides a
// fresh --user-data-dir (chromedp adds the DevTools pipe): no network of its
// own, no first-run or background work, no GPU.
var chromiumFlags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync",
}

// Chromium starts headless Chromium with a fresh profile in userDataDir (an
// empty temporary directory) and returns the context of its first tab. The
// cancel function closes the browser.
func Chromium(ctx context.Context, userDataDir string) (context.Context, context.CancelFunc, error) {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return nil, nil, fmt.Errorf("browsertest: Chromium is not installed (apt-get install chromium): %w", err)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(userDataDir)}
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	cancel := func() { cancelTab(); cancelAlloc() }
	if err := chromedp.Do(tab); err != nil { // start the browser now
		cancel()
		return nil, nil, fmt.Errorf("browsertest: starting %s: %w", path, err)
	}
	return tab, cancel, nil
}
