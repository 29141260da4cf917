// Command abkernels compares two builds of the kernel module op by op in
// headless Chromium: both run in one page, on one thread, in alternating
// windows, so that the drift of a shared host, which moves a kernel's speed
// by tens of percent over seconds, hits both alike. Each op prints one
// JSON line: the median milliseconds of a call of A and of B, a_over_b,
// the median over adjacent windows of A's time over B's (above 1: B is
// faster), and max_rel_diff, the largest difference between their outputs
// relative to A's largest output.
//
// It is how a change to the kernels is judged: build the variant (go
// generate ./wasm/kernels writes kernels.wasm and kernels_relaxed.wasm),
// keep a copy of the committed one, and run, from anywhere in the
// repository:
//
//	go run ./tests/browser/kernels/abkernels -a old.wasm -b wasm/kernels/kernels.wasm [-windows 40] [-ms 100]
//
// The ops and their sizes are in page/ab.js.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/browsertest"
)

func main() {
	a := flag.String("a", "", "the first kernel module (.wasm)")
	b := flag.String("b", "", "the second kernel module (.wasm)")
	windows := flag.Int("windows", 40, "timing windows per op and module")
	ms := flag.Int("ms", 100, "milliseconds per window")
	flag.Parse()
	if *a == "" || *b == "" {
		fmt.Fprintln(os.Stderr, "abkernels: give both modules: -a first.wasm -b second.wasm")
		os.Exit(2)
	}
	results, err := compare(*a, *b, *windows, *ms)
	if err != nil {
		fmt.Fprintln(os.Stderr, "abkernels:", err)
		os.Exit(1)
	}
	out := json.NewEncoder(os.Stdout)
	for _, r := range results {
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "abkernels:", err)
			os.Exit(1)
		}
	}
}

// Result is one op's comparison.
type Result struct {
	Op         string  `json:"op"`
	AMs        float64 `json:"a_ms"`
	BMs        float64 `json:"b_ms"`
	AOverB     float64 `json:"a_over_b"`
	MaxRelDiff float64 `json:"max_rel_diff"`
}

// compare runs page/ab.js over the modules at paths a and b.
func compare(a, b string, windows, ms int) ([]Result, error) {
	root, err := browsertest.Root()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "abkernels")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	srv, err := browsertest.Serve(map[string]string{
		"/a.wasm": a, "/b.wasm": b,
		"/page/": filepath.Join(root, "tests", "browser", "kernels", "abkernels", "page"),
	}, true) // isolated: the modules import a shared memory
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	ctx, cancel, err := browsertest.Chromium(context.Background(), filepath.Join(tmp, "profile"))
	if err != nil {
		return nil, err
	}
	defer cancel()
	q := url.Values{"windows": {fmt.Sprint(windows)}, "ms": {fmt.Sprint(ms)}}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/page/ab.html?"+q.Encode())); err != nil {
		return nil, err
	}
	budget := time.Minute + time.Duration(12*windows*ms)*time.Millisecond*2
	raw, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById('result').textContent || undefined`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(budget)))
	if err != nil {
		return nil, fmt.Errorf("the page did not finish: %w", err)
	}
	var r struct {
		Error   string   `json:"error"`
		Results []Result `json:"results"`
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, fmt.Errorf("the page's result %q: %w", raw, err)
	}
	if r.Error != "" {
		return nil, errors.New(r.Error)
	}
	return r.Results, nil
}
