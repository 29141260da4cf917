// Package browsertest is what the browser tests share: a loopback HTTP
// server with the cross-origin isolation headers of the real site, headless
// Chromium driven by chromedp, builds of Go programs for GOOS=js
// GOARCH=wasm, and a runner page that runs such a program (a test binary
// from `go test -c`, or any main package) in a worker over the kernel pool
// of wasm/pool.js and reports its exit code and output; and a loopback
// model hub on another origin.
//
// Layout: server.go (Serve), chromium.go (Chromium), gowasm.go (Root,
// BuildWasm, WasmExec), run.go (RunnerFiles, Run), site.go (BuildSite),
// hub.go (Hub) and runner/ (the page and its worker, served at /runner/).
//
// Chromium is Debian's (/usr/bin/chromium, `apt-get install chromium`),
// started with exactly the flags in chromiumFlags and a fresh profile.
package browsertest
