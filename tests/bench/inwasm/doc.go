//go:build js && wasm

// Command inwasm is the browser half of `make bench` (tests/bench): run by
// the runner page of tests/browser/browsertest in a worker over the kernel
// pool of wasm/pool.js, it opens the SIMD128 kernel device the engine uses
// (wasm/kernels.NewBrowser), times prefix-tuning steps of the GPT-2-small
// benchmark on it (tests/bench/step) and prints one JSON line: the step
// result and the WebAssembly memory it used.
//
// Flags: -warmup and -steps, the untimed and timed steps.
package main
