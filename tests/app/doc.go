// Package app is the end-to-end test of the web app: it builds the site
// (public/ with ui.wasm, engine.wasm and wasm_exec.js; the bundled demo
// model, or tests/reference/gpt2/model until public/models/demo exists),
// serves it with worker/site as `prefixtune serve` does, and drives the
// whole flow in headless Chromium: load the model, pick a sample dataset,
// map its fields and write its prompts into a template, pick the presets
// and one thread, train a few dozen steps while the loss chart updates and
// falls, compare the base model zero-shot and 3-shot with the prefix on the
// test file (the metrics table and samples), generate, download the
// adapter, and score that adapter with `prefixtune eval --baselines`,
// which must report the page's test losses, and with `prefixtune
// generate`, which must write the page's first sample.
//
// Every request is recorded, by the server and through the DevTools
// Network events: after the page and the model have loaded none is made,
// and none ever carries the dataset's bytes. A screenshot of every step is
// saved in the test's artifact directory (go test -artifacts keeps it).
//
// Files: site_test.go (building, serving and opening the site),
// app_test.go (the flow and its checks), classify_test.go (the person's CSV
// read as a text and its label, with a test share: accuracy and macro-F1
// against `prefixtune eval --labels auto`),
// sources_test.go (models from files, a folder and the hub, resuming after
// a reload). The page driver and the
// request log are tests/browser/apptest, shared with tests/reliability.
package app
