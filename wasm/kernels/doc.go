// Package kernels owns the SIMD128 WebAssembly kernels that implement every
// tensor.Device op, and the Go devices that run them.
//
// Layout:
//   - ABI.md: the module's imports and exports (read it first);
//   - internal/wat: the generator of the module text (hand-written fragments
//     plus generated elementwise loops and GEMM tiles); gen: the command
//     that writes kernels.wat and kernels_relaxed.wat and assembles them
//     with wat2wasm (both outputs are committed; a test checks they are
//     current);
//   - internal/wat/weights.go: what reads weights that may be 16-bit (F16,
//     BF16; ABI.md): exact widening, the GEMM's B-panel packing, matvec and
//     encoder; weights.go: Alloc16, Upload16;
//   - device.go: Device, the tensor.Device written once on top of a backend
//     (anything that can call exports and copy to and from the memory),
//     which also decides how each op is split into calls by rows, columns
//     or heads;
//   - wazero.go: the native backend, wazero running the plain build with
//     one module instance per thread over one shared memory (tests,
//     benchmarks, and the model's golden tests without a browser).
//
// The browser device is another backend in this package (js && wasm): it
// implements backend by forwarding run (export name, flat argument list of
// i32 values, at most threads() tasks, task i may use workspace i) to the
// JavaScript pool, and read/write/grow to the shared WebAssembly.Memory,
// then wraps it with newDevice. Nothing in device.go knows which backend runs.
//
// The arena is the module's memory: a tensor of Off slots starts at byte
// 4*Off; the first 64 bytes are never allocated so that pointer 0 means
// absent. Allocation is a bump pointer aligned to 64 bytes; GEMM workspaces
// (1 MiB per concurrent call) are allocated from it on first use.
package kernels

//go:generate go run ./gen
