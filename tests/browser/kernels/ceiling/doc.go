// Package ceiling measures, natively, the speed limit that `make
// bench-kernels` holds the WebAssembly GEMM against: the register tiles of
// wasm/kernels (5x8 rows x columns of f32x4.mul and f32x4.add in the plain
// build, 6x8 of f32x4.relaxed_madd in the relaxed one) written in the
// x86-64 instructions V8 compiles them to (tile_amd64.s), run over panels
// packed as the kernels pack them and nothing else: no packing, no loads
// of C, no calls across threads. What the wasm kernels lose to this figure
// is theirs; what this figure loses to the processor's nominal peak
// belongs to the machine (other tenants of a shared host take the
// floating-point units for seconds at a time, the separate multiply and add
// of the plain tile more than the fused one).
//
// Layout: a tile's A panel is [kc, rows] and its B panel [kc, 8], both
// row-major float32; its C block [rows, 8] is contiguous.
//
// Files: tile_amd64.s and tile_amd64.go (the tiles, x86-64 with AVX and
// FMA), tile_other.go (elsewhere: no tiles), ceiling.go (Time).
package ceiling
