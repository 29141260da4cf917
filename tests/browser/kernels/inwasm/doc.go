// Package inwasm holds the tests of the browser device that run inside the
// browser: its test binary, built with GOOS=js GOARCH=wasm go test -c, is
// run by tests/browser/kernels in headless Chromium over the kernel pool of
// wasm/pool.js. The reference device computes in the same program, so every
// comparison is between the kernels and tensor.NewCPU on the same inputs.
//
// With -gemm-bench it instead prints one JSON line of GEMM GFLOP/s per
// shape (see tests/browser/kernels/benchkernels).
//
// Natively the package has no tests.
package inwasm
