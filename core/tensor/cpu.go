package tensor

import (
	"fmt"
	"math"
)

// CPU is the reference device: its ops are the plain loops in the ref*.go
// files, run on one goroutine over one float32 arena (on Linux a reserved
// mapping that grows in place, arena_linux.go).
type CPU struct {
	arena []float32
}

// NewCPU returns an empty reference device.
func NewCPU() *CPU { return &CPU{} }

func (d *CPU) Name() string { return "cpu" }

const align = 16

func (d *CPU) Alloc(n int) Tensor {
	off := (len(d.arena) + align - 1) / align * align
	need := off + n
	if need > cap(d.arena) {
		d.grow(need)
	}
	d.arena = d.arena[:need]
	clear(d.arena[off:need])
	return Tensor{Off: off, Len: n}
}

// growCopy moves the arena into a Go slice of at least need slots, a
// quarter larger than before at least, so that copies stay rare without
// leaving half of a doubled arena unused.
func (d *CPU) growCopy(need int) {
	grown := make([]float32, len(d.arena), max(need, cap(d.arena)+cap(d.arena)/4))
	copy(grown, d.arena)
	d.arena = grown
}

func (d *CPU) Mark() int { return len(d.arena) }

func (d *CPU) Release(mark int) {
	if mark < 0 || mark > len(d.arena) {
		panic("tensor: Release to a mark beyond the arena")
	}
	d.arena = d.arena[:mark]
}

// F returns the slots of the float32 tensor t; the slice aliases the arena
// until the next Alloc.
func (d *CPU) F(t Tensor) []float32 {
	if t.DType != F32 {
		panic(fmt.Sprintf("tensor: a %v tensor where a float32 one is needed (only Matmul and MatmulBackward's weight and Encoder's wte may be 16-bit)", t.DType))
	}
	return d.arena[t.Off : t.Off+t.Len : t.Off+t.Len]
}

// I returns the slots of t read as int32.
func (d *CPU) I(t Tensor) []int32 {
	f := d.F(t)
	out := make([]int32, len(f))
	for i, x := range f {
		out[i] = int32(math.Float32bits(x))
	}
	return out
}

func (d *CPU) Upload(dst Tensor, src []float32) {
	if len(src) != dst.Len {
		panic("tensor: Upload length mismatch")
	}
	copy(d.F(dst), src)
}

func (d *CPU) UploadInt32(dst Tensor, src []int32) {
	if len(src) != dst.Len {
		panic("tensor: UploadInt32 length mismatch")
	}
	f := d.F(dst)
	for i, x := range src {
		f[i] = math.Float32frombits(uint32(x))
	}
}

func (d *CPU) Download(dst []float32, src Tensor) {
	if len(dst) != src.Len {
		panic("tensor: Download length mismatch")
	}
	copy(dst, d.F(src))
}

// opt returns the slots of t, or nil when t is absent.
func (d *CPU) opt(t Tensor) []float32 {
	if t.Absent() {
		return nil
	}
	return d.F(t)
}

// strided returns the slots from t.Off spanning P rows of stride S, width C.
func (d *CPU) strided(t Tensor, P, S, C int) []float32 {
	if P == 0 {
		return nil
	}
	n := (P-1)*S + C
	if t.Len < n {
		panic("tensor: strided view too short")
	}
	return d.arena[t.Off : t.Off+n]
}

func (d *CPU) Zero(t Tensor)        { clear(d.F(t)) }
func (d *CPU) Copy(dst, src Tensor) { copy(d.F(dst), d.F(src)) }
func (d *CPU) Add(out, a, b Tensor, n int) {
	addRef(d.F(out), d.F(a), d.F(b), n)
}
func (d *CPU) Scale(x Tensor, s float32, n int) { scaleRef(d.F(x), s, n) }
func (d *CPU) SumSquares(out, x Tensor, n int) {
	d.F(out)[0] = sumSquaresRef(d.F(x), n)
}

func (d *CPU) Encoder(out, tokens, wte, wpe Tensor, B, T, C, P int) {
	if wte.DType != F32 {
		encoderRef16(d.F(out), d.I(tokens), d.h16(wte), d.opt(wpe), B, T, C, P)
		return
	}
	encoderRef(d.F(out), d.I(tokens), d.F(wte), d.opt(wpe), B, T, C, P)
}
func (d *CPU) EncoderBackward(dwte, dwpe, dout, tokens Tensor, B, T, C, P int) {
	encoderBackwardRef(d.opt(dwte), d.opt(dwpe), d.F(dout), d.I(tokens), B, T, C, P)
}
func (d *CPU) LayerNorm(out, mean, rstd, inp, weight, bias Tensor, N, C int, eps float32) {
	layerNormRef(d.F(out), d.F(mean), d.F(rstd), d.F(inp), d.F(weight), d.F(bias), N, C, eps)
}
func (d *CPU) LayerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd Tensor, N, C int) {
	layerNormBackwardRef(d.opt(dinp), d.opt(dweight), d.opt(dbias), d.F(dout), d.F(inp), d.F(weight), d.F(mean), d.F(rstd), N, C)
}
func (d *CPU) Matmul(out, inp, weight, bias Tensor, N, C, OC int) {
	if weight.DType != F32 {
		matmulRef16(d.F(out), d.F(inp), d.h16(weight), d.opt(bias), N, C, OC)
		return
	}
	matmulRef(d.F(out), d.F(inp), d.F(weight), d.opt(bias), N, C, OC)
}
func (d *CPU) MatmulBackward(dinp, dweight, dbias, dout, inp, weight Tensor, N, C, OC int) {
	if weight.DType != F32 {
		frozen16(dweight, weight)
		if !dinp.Absent() {
			matmulBackwardDinpRef16(d.F(dinp), d.F(dout), d.h16(weight), N, C, OC)
		}
		matmulBackwardRef(nil, nil, d.opt(dbias), d.F(dout), nil, nil, N, C, OC)
		return
	}
	matmulBackwardRef(d.opt(dinp), d.opt(dweight), d.opt(dbias), d.F(dout), d.F(inp), d.F(weight), N, C, OC)
}
func (d *CPU) GELU(out, inp Tensor, n int) { geluRef(d.F(out), d.F(inp), n) }
func (d *CPU) GELUBackward(dinp, inp, dout Tensor, n int) {
	geluBackwardRef(d.F(dinp), d.F(inp), d.F(dout), n)
}
func (d *CPU) Tanh(out, inp Tensor, n int) { tanhRef(d.F(out), d.F(inp), n) }
func (d *CPU) TanhBackward(dinp, out, dout Tensor, n int) {
	tanhBackwardRef(d.F(dinp), d.F(out), d.F(dout), n)
}
func (d *CPU) RMSNorm(out, rstd, inp, weight Tensor, N, C int, eps float32) {
	rmsNormRef(d.F(out), d.F(rstd), d.F(inp), d.F(weight), N, C, eps)
}
func (d *CPU) RMSNormBackward(dinp, dweight, dout, inp, weight, rstd Tensor, N, C int) {
	rmsNormBackwardRef(d.opt(dinp), d.opt(dweight), d.F(dout), d.F(inp), d.F(weight), d.F(rstd), N, C)
}
func (d *CPU) RoPE(qkv, cos, sin Tensor, B, T, NH, KVH, HS int) {
	ropeRef(d.F(qkv), d.F(cos), d.F(sin), B, T, NH, KVH, HS, 1)
}
func (d *CPU) RoPEBackward(dqkv, cos, sin Tensor, B, T, NH, KVH, HS int) {
	ropeRef(d.F(dqkv), d.F(cos), d.F(sin), B, T, NH, KVH, HS, -1)
}
func (d *CPU) SwiGLU(out, gateUp Tensor, N, I int) { swiGLURef(d.F(out), d.F(gateUp), N, I) }
func (d *CPU) SwiGLUBackward(dgateUp, gateUp, dout Tensor, N, I int) {
	swiGLUBackwardRef(d.F(dgateUp), d.F(gateUp), d.F(dout), N, I)
}
func (d *CPU) Attention(out, att, qkv, pastK, pastV, valid Tensor, B, T, NH, KVH, HS, P, S int) {
	a := newAttnArgs(B, T, NH, KVH, HS, P, S)
	pk, pv := d.strided(pastK, P, S, KVH*HS), d.strided(pastV, P, S, KVH*HS)
	attentionRef(d.F(out), d.F(att), d.F(qkv), pk, pv, d.F(valid), a, 0, NH)
}
func (d *CPU) AttentionBackward(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att Tensor, B, T, NH, KVH, HS, P, S int) {
	a := newAttnArgs(B, T, NH, KVH, HS, P, S)
	var dpk, dpv []float32
	if !dpastK.Absent() {
		dpk, dpv = d.strided(dpastK, P, S, KVH*HS), d.strided(dpastV, P, S, KVH*HS)
	}
	pk, pv := d.strided(pastK, P, S, KVH*HS), d.strided(pastV, P, S, KVH*HS)
	attentionBackwardRef(d.opt(dqkv), dpk, dpv, d.F(datt), d.F(dout), d.F(qkv), pk, pv, d.F(att), a, 0, NH)
}
func (d *CPU) CrossEntropy(losses, logits, targets Tensor, N, V int) {
	crossEntropyRef(d.F(losses), d.F(logits), d.I(targets), N, V)
}
func (d *CPU) CrossEntropyBackward(dlogits, logits, targets, dlosses Tensor, N, V int) {
	crossEntropyBackwardRef(d.F(dlogits), d.F(logits), d.I(targets), d.F(dlosses), N, V)
}
func (d *CPU) AdamW(params, grads, m, v Tensor, n int, lr, beta1, beta2, eps, wd float32, t int) {
	adamWRef(d.F(params), d.F(grads), d.F(m), d.F(v), n, lr, beta1, beta2, eps, wd, t)
}
