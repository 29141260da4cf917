package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"prefixtune/core/tensor"
)

// backend runs exports of the kernel module over the module's memory: natively
// under wazero (wazero.go), or in the browser through the JavaScript pool.
// The Device is written once on top of it.
type backend interface {
	// threads is how many calls may run at the same time (1 without threads).
	threads() int
	// run calls fn once per task; args holds the tasks' arguments one task
	// after another, fn.arity() each, at most threads() tasks. The tasks write
	// disjoint memory and may run concurrently; run returns when all are done.
	run(fn export, args []uint32)
	// size is the memory size in bytes; grow makes it at least n bytes.
	size() int
	grow(n int) error
	// read copies memory at off into dst; write copies src to memory at off.
	read(dst []byte, off int)
	write(off int, src []byte)
	// close releases the backend.
	close() error
}

// Device is a tensor.Device whose arena is the kernel module's memory and
// whose ops are calls of the module's exports, split into up to
// Threads() calls by rows, columns or heads.
type Device struct {
	name    string
	be      backend
	mr      int      // rows of the build's GEMM tile: 5 plain, 6 relaxed
	limit   int      // SetThreads; 0: all of the backend's threads
	top     int      // end of the last allocation, in bytes
	high    int      // end of the highest allocation ever: memory below it may be dirty
	ws      []int    // workspaces (byte offsets), one per concurrent call
	minWork int      // ops with less work (about one unit per flop) run as one call
	args    []uint32 // reused argument buffer
}

// defaultMinWork is the work below which splitting an op costs more than it
// saves (a call on another thread costs some microseconds).
const defaultMinWork = 1 << 17

// maxBytes is the largest arena: 65535 pages, so that sizes fit in 32 bits.
const maxBytes = 1<<32 - 1<<16

// newDevice wraps a backend running the plain or the relaxed build. The
// workspaces of its threads are allocated first, below any Mark, so that a
// Release never frees them.
func newDevice(name string, be backend, relaxed bool) *Device {
	d := &Device{name: name, be: be, mr: 5, top: reserved, minWork: defaultMinWork}
	if relaxed {
		d.mr = 6
	}
	d.workspace(be.threads() - 1)
	return d
}

func (d *Device) Name() string { return d.name }

// SetThreads makes the device compute on n of its backend's threads from
// now on (n <= 0 or more than it has: all of them) and returns how many it
// uses. Ops are then split into at most that many calls.
func (d *Device) SetThreads(n int) int {
	d.limit = 0
	if n > 0 && n < d.be.threads() {
		d.limit = n
	}
	return d.Threads()
}

// Threads is the number of calls an op is split into at most.
func (d *Device) Threads() int {
	if d.limit > 0 {
		return d.limit
	}
	return d.be.threads()
}

// Close releases the device's backend; the device must not be used after.
func (d *Device) Close() error { return d.be.close() }

// Alloc bumps the arena. Memory above the highest allocation so far has
// never been written, so it is zero; memory reused after a Release is zeroed.
func (d *Device) Alloc(n int) tensor.Tensor {
	off := (d.top + alignBytes - 1) &^ (alignBytes - 1)
	end := off + 4*n
	if end > d.be.size() {
		if end > maxBytes {
			panic(fmt.Sprintf("kernels: Alloc(%d): the arena would need %d bytes, more than the 4 GiB WebAssembly can address", n, end))
		}
		if err := d.be.grow(min(maxBytes, max(end, d.be.size()+d.be.size()/4))); err != nil {
			if err := d.be.grow(end); err != nil {
				panic(fmt.Sprintf("kernels: Alloc(%d): cannot grow the arena to %d bytes: %v", n, end, err))
			}
		}
	}
	d.top = end
	t := tensor.Tensor{Off: off / 4, Len: n}
	if off < d.high { // reused after a Release
		d.Zero(t)
	}
	d.high = max(d.high, end)
	return t
}

func (d *Device) Mark() int { return d.top }

func (d *Device) Release(mark int) {
	if mark < 0 || mark > d.top {
		panic("kernels: Release to a mark beyond the arena")
	}
	d.top = mark
	// Workspaces added after the mark (a backend that gained threads) go too.
	for len(d.ws) > 0 && d.ws[len(d.ws)-1] >= mark {
		d.ws = d.ws[:len(d.ws)-1]
	}
}

// bytesOf views a float32, int32 or uint16 slice as bytes (WebAssembly memory and
// every host that runs the kernels are little-endian).
func bytesOf[T float32 | int32 | uint16](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), int(unsafe.Sizeof(s[0]))*len(s))
}

func (d *Device) Upload(dst tensor.Tensor, src []float32) {
	need("Upload", "dst", dst, len(src))
	d.be.write(4*dst.Off, bytesOf(src))
}

func (d *Device) UploadInt32(dst tensor.Tensor, src []int32) {
	need("UploadInt32", "dst", dst, len(src))
	d.be.write(4*dst.Off, bytesOf(src))
}

func (d *Device) Download(dst []float32, src tensor.Tensor) {
	need("Download", "src", src, len(dst))
	d.be.read(bytesOf(dst), 4*src.Off)
}

// need panics when t is shorter than n slots, as the reference device does
// on a short slice: a caller's bug that must not reach the kernels.
func need(op, what string, t tensor.Tensor, n int) {
	if t.DType != tensor.F32 {
		panic(fmt.Sprintf("kernels: %s: %s is a %v tensor; it must be float32 (only Matmul and MatmulBackward's weight and Encoder's wte may be 16-bit)", op, what, t.DType))
	}
	if t.Len < n {
		panic(fmt.Sprintf("kernels: %s: %s has %d slots, needs %d", op, what, t.Len, n))
	}
}

// strided is the number of slots P rows of width C spaced S apart span.
func strided(P, S, C int) int {
	if P == 0 {
		return 0
	}
	return (P-1)*S + C
}

// ptr is the byte offset of the float32 tensor t, 0 when t is absent.
func ptr(t tensor.Tensor) uint32 {
	if t.DType != tensor.F32 {
		panic(fmt.Sprintf("kernels: a %v tensor where a float32 one is needed (only Matmul and MatmulBackward's weight and Encoder's wte may be 16-bit)", t.DType))
	}
	if t.Absent() {
		return 0
	}
	return uint32(4 * t.Off)
}

func u(n int) uint32               { return uint32(n) }
func f(x float32) uint32           { return math.Float32bits(x) }
func present(t tensor.Tensor) bool { return !t.Absent() }

// workspace returns the byte offset of workspace i, allocating it on first use.
func (d *Device) workspace(i int) uint32 {
	for len(d.ws) <= i {
		d.ws = append(d.ws, 4*d.Alloc(wsBytes/4).Off)
	}
	return uint32(d.ws[i])
}

// split runs fn over the range [0,n) cut into up to threads parts whose
// bounds are multiples of align, or as one call when work is small. task
// appends the arguments of part i, range [r0,r1). It returns the number of
// parts.
func (d *Device) split(fn export, n, align, work int, task func(args []uint32, i int, r0, r1 uint32) []uint32) int {
	units := (n + align - 1) / align
	parts := max(1, min(d.Threads(), units))
	if work < d.minWork {
		parts = 1
	}
	args := d.args[:0]
	for i := range parts {
		args = task(args, i, u(min(n, units*i/parts*align)), u(min(n, units*(i+1)/parts*align)))
	}
	d.args = args
	d.be.run(fn, args)
	return parts
}

// rows runs an export whose arguments are fixed followed by the range.
func (d *Device) rows(fn export, n, align, work int, fixed ...uint32) {
	d.split(fn, n, align, work, func(a []uint32, _ int, r0, r1 uint32) []uint32 {
		return append(append(a, fixed...), r0, r1)
	})
}

// gemm runs a matrix export over an output of rows x cols with inner
// dimension K: its arguments are head (which receives the call's
// workspace), then rows [r0,r1) and columns [c0,c1). Every call packs the
// B columns it computes for each of its row blocks, and its A rows once per
// block of blockCols columns (internal/wat/gemm.go), so a split by rows
// repeats the packing of B in every call and a split by columns that of A:
// the split that repeats less is taken (outputs too short for a row split
// are split by columns). Rows are split on multiples of the build's tile
// height (so that 512 rows on two threads are 258 and 254, not 240 and 272
// as multiples of 30 would be), columns on multiples of 16 (64 bytes, so no
// cache line of the output is written by two threads).
func (d *Device) gemm(fn export, rows, cols, K int, head func(a []uint32, ws uint32) []uint32) {
	p := d.Threads()
	packByRows := K*cols + rows/p*K*ceilDiv(cols, blockCols)
	packByCols := rows*K*ceilDiv(ceilDiv(cols, p), blockCols) + K*cols/p
	byRows := rows >= 30*p && (packByRows <= packByCols || cols < 16*p)
	n, align := cols, 16
	if byRows {
		n, align = rows, d.mr
	}
	d.split(fn, n, align, 2*rows*cols*K, func(a []uint32, i int, r0, r1 uint32) []uint32 {
		a = head(a, d.workspace(i))
		if byRows {
			return append(a, r0, r1, 0, u(cols))
		}
		return append(a, 0, u(rows), r0, r1)
	})
}

// blockCols is the column block (NC) of the kernels' GEMM.
const blockCols = 512

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func (d *Device) Zero(t tensor.Tensor) { d.rows(fnZero, t.Len, 16, t.Len, ptr(t)) }

func (d *Device) Copy(dst, src tensor.Tensor) {
	need("Copy", "dst", dst, src.Len)
	d.rows(fnCopy, src.Len, 16, src.Len, ptr(dst), ptr(src))
}

func (d *Device) Add(out, a, b tensor.Tensor, n int) {
	need("Add", "out", out, n)
	need("Add", "a", a, n)
	need("Add", "b", b, n)
	d.rows(fnAdd, n, 16, n, ptr(out), ptr(a), ptr(b))
}

func (d *Device) Scale(x tensor.Tensor, s float32, n int) {
	need("Scale", "x", x, n)
	d.rows(fnScale, n, 16, n, ptr(x), f(s))
}

// SumSquares adds the f64 partial sums of the calls, in order, on the host.
func (d *Device) SumSquares(out, x tensor.Tensor, n int) {
	need("SumSquares", "out", out, 1)
	need("SumSquares", "x", x, n)
	parts := d.split(fnSumSq, n, 16, n, func(a []uint32, i int, r0, r1 uint32) []uint32 {
		return append(a, d.workspace(i), ptr(x), r0, r1)
	})
	var sum float64
	var b [8]byte
	for i := range parts {
		d.be.read(b[:], d.ws[i])
		sum += math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
	}
	d.Upload(out.Slice(0, 1), []float32{float32(sum)})
}

func (d *Device) Encoder(out, tokens, wte, wpe tensor.Tensor, B, T, C, P int) {
	need("Encoder", "out", out, B*T*C)
	need("Encoder", "tokens", tokens, B*T)
	if present(wpe) {
		need("Encoder", "wpe", wpe, (P+T)*C)
	}
	e, et := wref("Encoder", "wte", wte, 0)
	d.rows(fnEncoder, B*T, 1, B*T*C, ptr(out), ptr(tokens), e, et, ptr(wpe), u(T), u(C), u(P))
}

// EncoderBackward is split by channel, since tokens repeat.
func (d *Device) EncoderBackward(dwte, dwpe, dout, tokens tensor.Tensor, B, T, C, P int) {
	if dwte.Absent() && dwpe.Absent() {
		return
	}
	need("EncoderBackward", "dout", dout, B*T*C)
	need("EncoderBackward", "tokens", tokens, B*T)
	if present(dwpe) {
		need("EncoderBackward", "dwpe", dwpe, (P+T)*C)
	}
	d.rows(fnEncoderBackward, C, 16, B*T*C, ptr(dwte), ptr(dwpe), ptr(dout), ptr(tokens), u(B*T), u(T), u(C), u(P))
}

func (d *Device) LayerNorm(out, mean, rstd, inp, weight, bias tensor.Tensor, N, C int, eps float32) {
	for _, t := range []struct {
		what string
		t    tensor.Tensor
		n    int
	}{{"out", out, N * C}, {"mean", mean, N}, {"rstd", rstd, N}, {"inp", inp, N * C}, {"weight", weight, C}, {"bias", bias, C}} {
		need("LayerNorm", t.what, t.t, t.n)
	}
	d.rows(fnLayerNorm, N, 1, 8*N*C, ptr(out), ptr(mean), ptr(rstd), ptr(inp), ptr(weight), ptr(bias), u(C), f(eps))
}

// LayerNormBackward is two exports: dinp by rows, the parameter gradients
// (sums over rows) by channel.
func (d *Device) LayerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd tensor.Tensor, N, C int) {
	need("LayerNormBackward", "dout", dout, N*C)
	need("LayerNormBackward", "inp", inp, N*C)
	need("LayerNormBackward", "mean", mean, N)
	need("LayerNormBackward", "rstd", rstd, N)
	if present(dinp) {
		need("LayerNormBackward", "dinp", dinp, N*C)
		need("LayerNormBackward", "weight", weight, C)
		d.rows(fnLayerNormBackwardDinp, N, 1, 8*N*C, ptr(dinp), ptr(dout), ptr(inp), ptr(weight), ptr(mean), ptr(rstd), u(C))
	}
	if present(dweight) || present(dbias) {
		if present(dweight) {
			need("LayerNormBackward", "dweight", dweight, C)
		}
		if present(dbias) {
			need("LayerNormBackward", "dbias", dbias, C)
		}
		d.rows(fnLayerNormBackwardDparams, C, 16, 4*N*C, ptr(dweight), ptr(dbias), ptr(dout), ptr(inp), ptr(mean), ptr(rstd), u(N), u(C))
	}
}

// Matmul uses the matrix-vector kernel for one row (generation).
func (d *Device) Matmul(out, inp, weight, bias tensor.Tensor, N, C, OC int) {
	need("Matmul", "out", out, N*OC)
	need("Matmul", "inp", inp, N*C)
	w, wt := wref("Matmul", "weight", weight, OC*C)
	if present(bias) {
		need("Matmul", "bias", bias, OC)
	}
	if N == 1 {
		d.rows(fnMatvec, OC, 16, 2*C*OC, ptr(out), ptr(inp), w, wt, ptr(bias), u(C))
		return
	}
	d.gemm(fnMatmul, N, OC, C, func(a []uint32, ws uint32) []uint32 {
		return append(a, ptr(out), ptr(inp), w, wt, ptr(bias), ws, u(C), u(OC))
	})
}

func (d *Device) MatmulBackward(dinp, dweight, dbias, dout, inp, weight tensor.Tensor, N, C, OC int) {
	need("MatmulBackward", "dout", dout, N*OC)
	if present(dinp) {
		need("MatmulBackward", "dinp", dinp, N*C)
		w, wt := wref("MatmulBackward", "weight", weight, OC*C)
		d.gemm(fnMatmulBackwardDinp, N, C, OC, func(a []uint32, ws uint32) []uint32 {
			return append(a, ptr(dinp), ptr(dout), w, wt, ws, u(C), u(OC))
		})
	}
	if present(dweight) {
		frozen("MatmulBackward", weight)
		need("MatmulBackward", "dweight", dweight, OC*C)
		need("MatmulBackward", "inp", inp, N*C)
		d.gemm(fnMatmulBackwardDweight, OC, C, N, func(a []uint32, ws uint32) []uint32 {
			return append(a, ptr(dweight), ptr(dout), ptr(inp), ws, u(N), u(C), u(OC))
		})
	}
	if present(dbias) {
		need("MatmulBackward", "dbias", dbias, OC)
		d.rows(fnMatmulBackwardDbias, OC, 16, N*OC, ptr(dbias), ptr(dout), u(N), u(OC))
	}
}

// elementwiseWork is a rough cost per slot of the transcendental kernels.
const elementwiseWork = 16

func (d *Device) GELU(out, inp tensor.Tensor, n int) {
	need("GELU", "out", out, n)
	need("GELU", "inp", inp, n)
	d.rows(fnGELU, n, 16, elementwiseWork*n, ptr(out), ptr(inp))
}

func (d *Device) GELUBackward(dinp, inp, dout tensor.Tensor, n int) {
	need("GELUBackward", "dinp", dinp, n)
	need("GELUBackward", "inp", inp, n)
	need("GELUBackward", "dout", dout, n)
	d.rows(fnGELUBackward, n, 16, elementwiseWork*n, ptr(dinp), ptr(inp), ptr(dout))
}

func (d *Device) Tanh(out, inp tensor.Tensor, n int) {
	need("Tanh", "out", out, n)
	need("Tanh", "inp", inp, n)
	d.rows(fnTanh, n, 16, elementwiseWork*n, ptr(out), ptr(inp))
}

func (d *Device) TanhBackward(dinp, out, dout tensor.Tensor, n int) {
	need("TanhBackward", "dinp", dinp, n)
	need("TanhBackward", "out", out, n)
	need("TanhBackward", "dout", dout, n)
	d.rows(fnTanhBackward, n, 16, n, ptr(dinp), ptr(out), ptr(dout))
}

func (d *Device) RMSNorm(out, rstd, inp, weight tensor.Tensor, N, C int, eps float32) {
	need("RMSNorm", "out", out, N*C)
	need("RMSNorm", "rstd", rstd, N)
	need("RMSNorm", "inp", inp, N*C)
	need("RMSNorm", "weight", weight, C)
	d.rows(fnRMSNorm, N, 1, 6*N*C, ptr(out), ptr(rstd), ptr(inp), ptr(weight), u(C), f(eps))
}

// RMSNormBackward is two exports: dinp by rows, dweight (a sum over rows)
// by channel.
func (d *Device) RMSNormBackward(dinp, dweight, dout, inp, weight, rstd tensor.Tensor, N, C int) {
	need("RMSNormBackward", "dout", dout, N*C)
	need("RMSNormBackward", "inp", inp, N*C)
	need("RMSNormBackward", "rstd", rstd, N)
	if present(dinp) {
		need("RMSNormBackward", "dinp", dinp, N*C)
		need("RMSNormBackward", "weight", weight, C)
		d.rows(fnRMSNormBackwardDinp, N, 1, 8*N*C, ptr(dinp), ptr(dout), ptr(inp), ptr(weight), ptr(rstd), u(C))
	}
	if present(dweight) {
		need("RMSNormBackward", "dweight", dweight, C)
		d.rows(fnRMSNormBackwardDweight, C, 16, 3*N*C, ptr(dweight), ptr(dout), ptr(inp), ptr(rstd), u(N), u(C))
	}
}

// rope runs RoPE (fn = fnRoPE) or its transpose on token rows.
func (d *Device) rope(fn export, op string, qkv, cos, sin tensor.Tensor, B, T, NH, KVH, HS int) {
	if HS%2 != 0 {
		panic(fmt.Sprintf("kernels: %s: head size %d is odd; rotary embeddings pair dimensions i and i+HS/2", op, HS))
	}
	need(op, "qkv", qkv, B*T*(NH+2*KVH)*HS)
	need(op, "cos", cos, T*HS/2)
	need(op, "sin", sin, T*HS/2)
	d.rows(fn, B*T, 1, 3*B*T*(NH+KVH)*HS, ptr(qkv), ptr(cos), ptr(sin), u(T), u(NH), u(KVH), u(HS))
}

func (d *Device) RoPE(qkv, cos, sin tensor.Tensor, B, T, NH, KVH, HS int) {
	d.rope(fnRoPE, "RoPE", qkv, cos, sin, B, T, NH, KVH, HS)
}

func (d *Device) RoPEBackward(dqkv, cos, sin tensor.Tensor, B, T, NH, KVH, HS int) {
	d.rope(fnRoPEBackward, "RoPEBackward", dqkv, cos, sin, B, T, NH, KVH, HS)
}

func (d *Device) SwiGLU(out, gateUp tensor.Tensor, N, I int) {
	need("SwiGLU", "out", out, N*I)
	need("SwiGLU", "gateUp", gateUp, N*2*I)
	d.rows(fnSwiGLU, N, 1, elementwiseWork*N*I, ptr(out), ptr(gateUp), u(I))
}

func (d *Device) SwiGLUBackward(dgateUp, gateUp, dout tensor.Tensor, N, I int) {
	need("SwiGLUBackward", "dgateUp", dgateUp, N*2*I)
	need("SwiGLUBackward", "gateUp", gateUp, N*2*I)
	need("SwiGLUBackward", "dout", dout, N*I)
	d.rows(fnSwiGLUBackward, N, 1, 2*elementwiseWork*N*I, ptr(dgateUp), ptr(gateUp), ptr(dout), u(I))
}

// heads checks the head counts of an attention op.
func heads(op string, NH, KVH int) {
	if KVH < 1 || NH%KVH != 0 {
		panic(fmt.Sprintf("kernels: %s: %d query heads cannot share %d key/value heads; KVH must divide NH", op, NH, KVH))
	}
}

// Attention is split by query head.
func (d *Device) Attention(out, att, qkv, pastK, pastV, valid tensor.Tensor, B, T, NH, KVH, HS, P, S int) {
	heads("Attention", NH, KVH)
	need("Attention", "out", out, B*T*NH*HS)
	need("Attention", "att", att, B*NH*T*(P+T))
	need("Attention", "qkv", qkv, B*T*(NH+2*KVH)*HS)
	need("Attention", "pastK", pastK, strided(P, S, KVH*HS))
	need("Attention", "pastV", pastV, strided(P, S, KVH*HS))
	need("Attention", "valid", valid, B*T)
	d.rows(fnAttention, NH, 1, 4*B*T*(P+T)*NH*HS, ptr(out), ptr(att), ptr(qkv), ptr(pastK), ptr(pastV), ptr(valid),
		u(B), u(T), u(NH), u(KVH), u(HS), u(P), u(S))
}

// AttentionBackward is split by key/value head: the gradients of a
// key/value head are sums over its query heads.
func (d *Device) AttentionBackward(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att tensor.Tensor, B, T, NH, KVH, HS, P, S int) {
	heads("AttentionBackward", NH, KVH)
	if dpastK.Absent() != dpastV.Absent() {
		panic("kernels: AttentionBackward: dpastK and dpastV must be both present or both absent")
	}
	if present(dqkv) {
		need("AttentionBackward", "dqkv", dqkv, B*T*(NH+2*KVH)*HS)
	}
	if present(dpastK) {
		need("AttentionBackward", "dpastK", dpastK, strided(P, S, KVH*HS))
		need("AttentionBackward", "dpastV", dpastV, strided(P, S, KVH*HS))
	}
	need("AttentionBackward", "datt", datt, B*NH*T*(P+T))
	need("AttentionBackward", "dout", dout, B*T*NH*HS)
	need("AttentionBackward", "qkv", qkv, B*T*(NH+2*KVH)*HS)
	need("AttentionBackward", "pastK", pastK, strided(P, S, KVH*HS))
	need("AttentionBackward", "pastV", pastV, strided(P, S, KVH*HS))
	need("AttentionBackward", "att", att, B*NH*T*(P+T))
	d.rows(fnAttentionBackward, KVH, 1, 8*B*T*(P+T)*NH*HS, ptr(dqkv), ptr(dpastK), ptr(dpastV), ptr(datt), ptr(dout),
		ptr(qkv), ptr(pastK), ptr(pastV), ptr(att), u(B), u(T), u(NH), u(KVH), u(HS), u(P), u(S))
}

func (d *Device) CrossEntropy(losses, logits, targets tensor.Tensor, N, V int) {
	need("CrossEntropy", "losses", losses, N)
	need("CrossEntropy", "logits", logits, N*V)
	need("CrossEntropy", "targets", targets, N)
	d.rows(fnCrossEntropy, N, 1, elementwiseWork*N*V, ptr(losses), ptr(logits), ptr(targets), u(V))
}

func (d *Device) CrossEntropyBackward(dlogits, logits, targets, dlosses tensor.Tensor, N, V int) {
	need("CrossEntropyBackward", "dlogits", dlogits, N*V)
	need("CrossEntropyBackward", "logits", logits, N*V)
	need("CrossEntropyBackward", "targets", targets, N)
	need("CrossEntropyBackward", "dlosses", dlosses, N)
	d.rows(fnCrossEntropyBackward, N, 1, 2*elementwiseWork*N*V, ptr(dlogits), ptr(logits), ptr(targets), ptr(dlosses), u(V))
}

// AdamW computes the bias corrections in float64 as the reference does.
func (d *Device) AdamW(params, grads, m, v tensor.Tensor, n int, lr, beta1, beta2, eps, wd float32, t int) {
	need("AdamW", "params", params, n)
	need("AdamW", "grads", grads, n)
	need("AdamW", "m", m, n)
	need("AdamW", "v", v, n)
	stepSize := float32(float64(lr) / (1 - math.Pow(float64(beta1), float64(t))))
	bc2Sqrt := float32(math.Sqrt(1 - math.Pow(float64(beta2), float64(t))))
	d.rows(fnAdamW, n, 16, 4*n, ptr(params), ptr(grads), ptr(m), ptr(v),
		f(lr), f(beta1), f(beta2), f(eps), f(wd), f(stepSize), f(bc2Sqrt))
}
