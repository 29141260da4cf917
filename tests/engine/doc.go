// Package engine tests the browser engine (wasm/engine, public/engine.js,
// public/engine-worker.js) in headless Chromium without a UI: a loopback
// server gives a test page (testdata/) with cross-origin isolation, a
// loopback "hub" serves the reference model of tests/reference/gpt2, and
// the results are compared with the same runs of the native core
// (core/tune) in the test process.
//
// Chromium, the isolating server and wasm builds come from
// tests/browser/browsertest. Files: browser_test.go (the site and the hub),
// engine_test.go (the test), native_test.go (the native reference runs),
// testdata/ (the page).
package engine
