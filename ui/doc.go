// Command ui is Prefixtune's page: a Vugu app compiled to ui.wasm that runs
// on the main thread, draws the guided flow (Model, Data, Tune, Train,
// Compare, Try, Download) and talks to the engine worker only through the
// typed messages of core/protocol. It computes nothing heavy and reads no
// file beyond the first rows of a data file for its preview.
//
// Layout:
//   - *.vugu: the components, one per step plus the loss chart; Go code
//     generated from them by vugugen is 0_components_gen.go (committed;
//     regenerate with `go generate ./ui`, a test fails when it is stale).
//   - app.go: App, the state of the page, and the step navigation.
//   - client.go: requests to the engine and the routing of its events,
//     over Host, the browser as the app sees it (host_js.go in the page, a
//     fake in the tests).
//   - model.go, data.go, tune.go, run.go, compare.go, try.go, adapter.go:
//     the state and actions of each step; chart.go the SVG geometry of the
//     loss chart; format.go numbers, sizes and durations for people;
//     engine.go what the page does when the engine worker dies (a fresh
//     engine, the model again, the run from its checkpoint); storage.go
//     where the person's data lives and clearing it.
//   - main_wasm.go: the render loop; host_js.go: Host over syscall/js and
//     public/ui.js.
//
// Everything but main_wasm.go and host_js.go builds natively, so the state
// machine and the components (rendered with vugu's staticrender) are tested
// with `go test ./ui` without a browser; tests/app drives the real page.
//
// Vugu's DOM renderer installs its helper script with window.eval, which
// the page's Content-Security-Policy forbids: public/vugu.js is that script
// as a file (generated from the vugu module, checked by a test), and
// public/ui.js loads it before ui.wasm and answers the eval call.
package main
