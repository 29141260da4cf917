package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"prefixtune/tests/bench/step"
	"prefixtune/tests/browser/browsertest"
)

// wasmResult is the line ./inwasm prints.
type wasmResult struct {
	step.Result
	ArenaMiB  float64 `json:"arena_mib"`
	GoSysMiB  float64 `json:"go_sys_mib"`
	GoHeapMiB float64 `json:"go_heap_mib"`
}

// browser is headless Chromium with the isolating server of ./inwasm.
type browser struct {
	ctx     context.Context
	url     string
	version string
	close   func()
}

// openBrowser builds ./inwasm for GOOS=js GOARCH=wasm into tmp, serves it
// with the runner page, the kernels and the pool under cross-origin
// isolation, and starts Chromium.
func openBrowser(tmp string) (*browser, error) {
	prog := filepath.Join(tmp, "bench.wasm")
	if err := browsertest.BuildWasm(prog, "prefixtune/tests/bench/inwasm", false); err != nil {
		return nil, err
	}
	files, err := browsertest.RunnerFiles()
	if err != nil {
		return nil, err
	}
	files["/bench.wasm"] = prog
	srv, err := browsertest.Serve(files, true)
	if err != nil {
		return nil, err
	}
	ctx, cancel, err := browsertest.Chromium(context.Background(), filepath.Join(tmp, "profile"))
	if err != nil {
		srv.Close()
		return nil, err
	}
	b := &browser{ctx: ctx, url: srv.URL, close: func() { cancel(); srv.Close() }}
	if out, err := exec.Command("chromium", "--version").Output(); err == nil {
		b.version = strings.TrimSpace(string(out))
	}
	return b, nil
}

// run times the step of the model shape in a fresh worker over a pool of
// threads threads (0: the pool's default, every core). It returns the result, the pool's
// threads and build, and the CPU seconds Chromium's processes used.
func (b *browser) run(shape string, threads int, c counts) (r wasmResult, pool browsertest.Result, u usage, err error) {
	cpu0, start := descendantsCPU(), time.Now()
	res, err := browsertest.Run(b.ctx, b.url, browsertest.RunOptions{Wasm: "/bench.wasm",
		Args: append([]string{"-shape", shape}, c.args()...), Threads: threads,
		Timeout: 10 * time.Minute})
	if err != nil {
		return r, pool, u, err
	}
	u = usage{CPU: descendantsCPU() - cpu0, Wall: time.Since(start).Seconds()}
	switch {
	case res.Error != "" || res.Exit != 0:
		return r, *res, u, fmt.Errorf("the browser step on %d threads failed (exit %d, %s):\n%s", threads, res.Exit, res.Error, res.Output)
	case !res.Isolated || !res.Shared:
		return r, *res, u, fmt.Errorf("the page is not cross-origin isolated with a shared arena (isolated %v, shared %v)", res.Isolated, res.Shared)
	}
	sc := bufio.NewScanner(strings.NewReader(res.Output))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "{") {
			err := json.Unmarshal(sc.Bytes(), &r)
			return r, *res, u, err
		}
	}
	return r, *res, u, fmt.Errorf("the browser step printed no result:\n%s", res.Output)
}

// tempDir is a fresh directory for the wasm build and Chromium's profile.
func tempDir() (string, func(), error) {
	dir, err := os.MkdirTemp("", "prefixtune-bench")
	return dir, func() { os.RemoveAll(dir) }, err
}
