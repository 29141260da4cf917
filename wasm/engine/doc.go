//go:build js && wasm

// Command engine is the Prefixtune engine: it runs in a dedicated Web
// Worker (started by public/engine.js through public/engine-worker.js),
// receives core/protocol requests by postMessage and drives core/ to load
// models and data, train, evaluate, generate, and save and restore runs.
//
// syscall/js carries messages and browser APIs only, never compute. Every
// request runs on the job goroutine (engine.go); JavaScript promises are
// awaited there (js.go), never inside a JavaScript callback, and the
// training loop yields to the event loop between steps so that Pause and
// Cancel take effect within one step.
//
// Files:
//   - main.go: start-up, the inbox of messages, Ready;
//   - engine.go: state, the job queue, Pause and Cancel, errors;
//   - device.go: the compute device, the SIMD128 kernels of the worker's
//     kernel pool (wasm/pool.js); the one place that picks it;
//   - js.go: promises, bytes, Blob reading;
//   - model.go, hub.go, name.go: loading a model from posted files or a hub
//     through the Cache API, and its name;
//   - data.go: training, validation and test data, prompt templates;
//   - train.go: runs, the training loop, progress, estimates;
//   - progress.go: the device that counts matrix products, so that a long
//     step reports progress from inside; the run's kernel threads;
//   - store.go: checkpoints in the origin-private file system;
//   - infer.go: evaluation (core/evaluate, as `prefixtune eval
//     --baselines`), generation, adapters.
//
// Memory: the device's arena only grows, so allocations that do not
// outlive a request are made in an arena.Scope (package arena) and
// released after it; a run's allocations are released when another run
// replaces it, and loading a model starts a fresh arena.
package main
