// Package app is the end-to-end test of the web app: it builds the site
// (public/ with ui.wasm, engine.wasm and wasm_exec.js; the bundled demo
// model, or tests/reference/gpt2/model until public/models/demo exists),
// serves it with worker/site as `prefixtune serve` does, and drives the
// whole flow in headless Chromium: load the model, pick a sample dataset,
// map its fields, train a few dozen steps while the loss chart updates and
// falls, compare, generate, download the adapter, and score that adapter
// with `prefixtune eval`, which must report the page's validation loss.
//
// Every request is recorded, by the server and through the DevTools
// Network events: after the page and the model have loaded none is made,
// and none ever carries the dataset's bytes. A screenshot of every step is
// saved in the test's artifact directory (go test -artifacts keeps it).
//
// Files: site_test.go (building and serving the site, the request log),
// page_test.go (driving the page), app_test.go (the flow and its checks).
package app
