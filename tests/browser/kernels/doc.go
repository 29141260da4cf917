// Package kernels tests the browser device of wasm/kernels in headless
// Chromium: the test binary of ./inwasm (the conformance suite, large
// GEMMs and arena growth, each against the reference device in the same
// program) runs over the kernel pool of wasm/pool.js with the plain and the
// relaxed build, on 1, 2 and 4 threads under cross-origin isolation, and
// on one thread over a plain memory without it.
//
// ./benchkernels is `make bench-kernels`: GEMM GFLOP/s beside TensorFlow.js's
// wasm backend in the same browser session and beside the kernels' register
// tiles run natively (./ceiling). ./abkernels compares two builds of the
// kernel module op by op in one page, in alternating windows: how a change
// to the kernels is judged on a shared host.
package kernels
