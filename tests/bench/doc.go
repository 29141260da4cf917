// Command bench is `make bench`: prefix-tuning training speed of models
// with random weights at B 4, T 128, P 10 — forward, backward to the prefix
// only, AdamW with clipping — on one thread and on all of them, for two
// shapes (step.Shapes, -shapes): GPT-2 small (12 layers, C 768, 12 heads,
// V 50257, float32) and SmolLM2-135M (Llama: 30 layers, C 576, 9 query
// heads over 3 key/value heads, SwiGLU of 1536, V 49152, BF16 matrices
// kept 16-bit). After its steps each case also times greedy generation with
// the key/value cache, 32 new tokens after the tuned prefix and a 16-token
// prompt (gen_tokens_per_s: the one-token steps, the matrix-vector
// kernels' speed). Every line names its shape. The cases:
//
//   - pytorch: the same step in PyTorch on the CPU (torch_step.py, run with
//     /usr/bin/python3: Debian's python3-torch over OpenBLAS from
//     libopenblas0-pthread), the reference of every ratio_to_pytorch
//     (GPT-2 only: SmolLM2's lines have none, and the browser's
//     ratio_to_native instead);
//   - native: core/tensor.NewFast in a child process of this program;
//   - browser: headless Chromium (tests/browser/browsertest: the project's
//     flags, an isolating loopback server) running ./inwasm, a Go wasm
//     program that trains on the SIMD128 kernel device of the engine
//     (wasm/kernels over the pool of wasm/pool.js);
//
// all in one run, so that every figure is also a ratio to PyTorch's
// tokens/s on as many threads, measured minutes apart on the same machine.
// Each case prints one JSON line; then the browser's per-op shares of a step
// (case "op-share"). Where PyTorch or OpenBLAS is missing, a line says so
// and how to install them, and no ratio is printed.
//
// Memory (peak_mib): a child process's peak resident set (getrusage) for
// pytorch and native; for the browser, the WebAssembly memories: the kernel
// arena plus what Go's runtime took in its own linear memory (see ./inwasm);
// neither V8's own heaps nor the helper workers' isolates are counted.
//
// The machine may be shared, so every case also says how much it got:
// cpu_share is its processes' CPU time per wall second per thread (1 when
// no thread ever waited for a core), other_cores how many cores other
// processes kept busy meanwhile; the first and last lines name the busy
// processes and the load average.
//
// Files: main.go (flags, the cases, the output), native.go (the native
// child), torch.go and torch_step.py (the PyTorch child), browser.go
// (Chromium), machine.go (load and CPU use from /proc). The shared step is
// ./step. `go test` runs only small tests of the helpers (main_test.go)
// and of ./step, never the benchmark.
//
// Usage, from anywhere in the repository:
//
//	go run ./tests/bench [-warmup 1] [-steps 2] [-generate 32] [-cases pytorch,native,browser] [-shapes gpt2-small,smollm2-135m]
package main
