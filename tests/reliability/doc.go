// Package reliability tests, in headless Chromium, how the app survives
// failures and shows that the person's data stays on their machine:
//
//   - death_test.go: the engine worker is killed mid-epoch (the quick
//     preset's epochs are 602 steps; silently, so that the page's watchdog
//     must notice, then with an error event); the
//     page says so, starts a fresh engine, loads the model into it again
//     and resumes the run from its last checkpoint, losing at most one
//     checkpoint interval of steps (printed);
//   - checkpoint_test.go: the newest of a run's two checkpoint slots is
//     damaged (truncated, then a flipped byte): the run falls back to the
//     previous slot; then "Clear everything stored" empties the browser's
//     storage;
//   - privacy_test.go: a full small run on a dataset holding a marker
//     string, with every request recorded (DevTools Network, and the
//     server's log): the marker is in none; and a page of the site that
//     tries to send data to another origin (fetch, an image beacon, a
//     WebSocket, from the page and from a worker) is stopped by the site's
//     Content-Security-Policy: the other origin's server receives nothing
//     and the browser reports the violations (printed);
//   - nan_test.go: a NaN planted in the prefix (the engine's plantNaN test
//     hook) is undone, the page says so, and training goes on;
//   - memory_test.go: the engine worker's arena is refused growth past
//     a limit (WebAssembly.Memory.prototype.grow wrapped in the worker
//     before its script, as a browser refuses at a memory's maximum): a
//     run the engine's prediction lets start fails part-way through its
//     allocations; the Train step says memory ran out and what to do,
//     nothing is lost (model, data, settings, the saved run, which opens),
//     and a smaller run then trains under the same limit (the limit, the
//     bytes asked for and what was shown are printed);
//   - progress_test.go: with the least time between two progress events
//     forced to 0, the engine reports from inside every training step
//     (between its matrix products), counted per step.
//
// site_test.go builds the site once (as tests/app does) and serves it with
// worker/site's handler; tests/browser/apptest drives the tab. Each test
// stays under about a minute on two cores.
package reliability
