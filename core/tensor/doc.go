// Package tensor owns the compute interface of Prefixtune: the Device, the
// Tensor handle, and the native devices.
//
// A Device owns one flat float32 arena. A Tensor is a handle into it, an
// offset and a length counted in float32 slots, never a pointer, so an arena
// may grow or live in another module's memory (WebAssembly) without
// invalidating handles. Integer data (token ids, targets) is stored as int32
// bit patterns in float32 slots. Weights may also be 16-bit (F16, BF16; see
// dtype.go), two elements per slot, so that a BF16 checkpoint stays compact:
// Matmul, MatmulBackward (dinp) and Encoder widen them to float32 exactly as
// they read them, and compute in float32.
//
// Layout conventions, shared by every device:
//   - row-major; the last dimension is contiguous;
//   - a weight of a linear map from C to OC features is [OC, C] (the layout of
//     torch.nn.Linear; GPT-2's Conv1D weights are transposed on load);
//   - ops take outputs first, then inputs, then dimensions (B, T, C, NH, KVH,
//     HS, P, S, V, N, I), as in llm.c;
//   - attention has grouped-query heads: NH query heads of HS slots share
//     KVH key/value heads (GPT-2: KVH = NH, HS = C/NH); Llama's ops
//     (RMSNorm, RoPE, SwiGLU) are in ref_llama.go;
//   - backward ops accumulate (+=) into gradient outputs, and a gradient
//     output with Len 0 is skipped, which is how weight gradients are left
//     out when only the prefix is trained.
//
// The reference device (NewCPU) is plain loops written to be read. The fast
// device (NewFast) computes the same functions with goroutines and gonum's
// blas32; every device is checked against the reference by the conformance
// suite in this package's tests (see conformance_test.go).
package tensor
