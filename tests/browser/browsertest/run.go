package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"
)

// RunnerFiles returns the files the runner page needs, for Serve: the
// runner at /runner/, and wasm_exec.js, pool.js, kernels.wasm and
// kernels_relaxed.wasm at the root, as in public/. Add the program.
func RunnerFiles() (map[string]string, error) {
	root, err := Root()
	if err != nil {
		return nil, err
	}
	wasmExec, err := WasmExec()
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"/runner/":              filepath.Join(root, "tests", "browser", "browsertest", "runner"),
		"/wasm_exec.js":         wasmExec,
		"/pool.js":              filepath.Join(root, "wasm", "pool.js"),
		"/kernels.wasm":         filepath.Join(root, "wasm", "kernels", "kernels.wasm"),
		"/kernels_relaxed.wasm": filepath.Join(root, "wasm", "kernels", "kernels_relaxed.wasm"),
	}, nil
}

// RunOptions say what the runner runs.
type RunOptions struct {
	Wasm    string        // URL path of the program
	Args    []string      // its command-line arguments
	Threads int           // threads of the pool; 0 for its default
	Build   string        // "auto" (default), "plain" or "relaxed"
	Timeout time.Duration // default 2 minutes
}

// Result is what the runner reports.
type Result struct {
	Exit                int    `json:"exit"`  // the program's exit code, -1 if it did not run
	Error               string `json:"error"` // why it did not run
	Threads             int    `json:"threads"`
	Relaxed             bool   `json:"relaxed"`  // the pool runs kernels_relaxed.wasm
	Shared              bool   `json:"shared"`   // the arena is a shared memory
	Isolated            bool   `json:"isolated"` // crossOriginIsolated
	HardwareConcurrency int    `json:"hardwareConcurrency"`
	Output              string `json:"-"` // the program's standard output and error
}

// Run opens the runner page of the server at base in the tab ctx, runs the
// program and returns its result once it exits. An error means the page
// did not report in time (the output so far is in the error).
func Run(ctx context.Context, base string, opts RunOptions) (*Result, error) {
	q := url.Values{"wasm": {opts.Wasm}, "arg": opts.Args}
	if opts.Threads > 0 {
		q.Set("threads", strconv.Itoa(opts.Threads))
	}
	if opts.Build != "" {
		q.Set("build", opts.Build)
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/runner/run.html?"+q.Encode())); err != nil {
		return nil, fmt.Errorf("browsertest: opening the runner: %w", err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById('result').textContent`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	output, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('log').textContent`))
	if err != nil {
		return nil, fmt.Errorf("browsertest: %s did not finish within %v: %w\noutput so far:\n%s", opts.Wasm, timeout, err, output)
	}
	var r Result
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, fmt.Errorf("browsertest: the runner's result %q: %w", raw, err)
	}
	r.Output = output
	return &r, nil
}
