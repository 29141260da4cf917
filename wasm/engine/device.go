//go:build js && wasm

package main

import (
	"prefixtune/core/protocol"
	"prefixtune/core/tensor"
	"prefixtune/wasm/kernels"
)

// openDevice opens the compute device: the SIMD128 kernels of the worker's
// kernel pool (wasm/pool.js, given to this program by engine-worker.js),
// on as many threads as the pool has. The pool has one arena, so the
// previous device must be closed first; close releases it. This is the one
// place that picks the device: `return tensor.NewFast(1), func() error {
// return nil }, nil` runs the pure Go device instead.
func openDevice() (d tensor.Device, close func() error, err error) {
	k, err := kernels.NewBrowser(kernels.BrowserOptions{})
	if err != nil {
		return nil, nil, err
	}
	return k, k.Close, nil
}

// arenaBudget is the largest arena a run may plan for: WebAssembly
// addresses 4 GiB, and the pool's plain memory (without cross-origin
// isolation) stops at 1 GiB.
func arenaBudget(caps protocol.Caps) int64 {
	if caps.Isolated {
		return 1<<32 - 1<<16
	}
	return 1 << 30
}
