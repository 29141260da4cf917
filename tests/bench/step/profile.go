package step

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"prefixtune/core/tensor"
)

// Profile is a tensor.Device that forwards every call to another device
// and, while enabled, adds up the wall time of each compute op by name (a
// matmul also by its shape N x C x OC). Every device's ops return when
// their work is done (the browser device waits for its helper workers), so
// the time of a call is the op's time.
type Profile struct {
	tensor.Device
	on    bool
	stats map[opKey]*opStat
}

// opKey names an op; a matmul's also holds its shape.
type opKey struct {
	name     string
	N, C, OC int
}

type opStat struct {
	calls int
	d     time.Duration
}

// NewProfile wraps d.
func NewProfile(d tensor.Device) *Profile {
	return &Profile{Device: d, stats: map[opKey]*opStat{}}
}

// Enable starts (on) or stops timing.
func (p *Profile) Enable(on bool) { p.on = on }

// Ops returns the timed ops per step, largest first: the totals divided by
// steps, and each op's share of stepSeconds (the timed steps' wall time),
// whose remainder is the time outside the device's ops.
func (p *Profile) Ops(steps int, stepSeconds float64) []Op {
	var ops []Op
	for k, s := range p.stats {
		name := k.name
		if k.N > 0 {
			name = fmt.Sprintf("%s %dx%dx%d", k.name, k.N, k.C, k.OC)
		}
		ops = append(ops, Op{Name: name, Calls: s.calls / steps, Seconds: s.d.Seconds() / float64(steps),
			Share: s.d.Seconds() / stepSeconds})
	}
	slices.SortFunc(ops, func(a, b Op) int { return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Name, b.Name)) })
	return ops
}

// time runs f and, when enabled, adds its time to op.
func (p *Profile) time(op opKey, f func()) {
	if !p.on {
		f()
		return
	}
	t0 := time.Now()
	f()
	s := p.stats[op]
	if s == nil {
		s = &opStat{}
		p.stats[op] = s
	}
	s.calls++
	s.d += time.Since(t0)
}

func (p *Profile) Zero(t tensor.Tensor) { p.time(opKey{name: "Zero"}, func() { p.Device.Zero(t) }) }

func (p *Profile) Copy(dst, src tensor.Tensor) {
	p.time(opKey{name: "Copy"}, func() { p.Device.Copy(dst, src) })
}

func (p *Profile) Add(out, a, b tensor.Tensor, n int) {
	p.time(opKey{name: "Add"}, func() { p.Device.Add(out, a, b, n) })
}

func (p *Profile) Scale(x tensor.Tensor, s float32, n int) {
	p.time(opKey{name: "Scale"}, func() { p.Device.Scale(x, s, n) })
}

func (p *Profile) SumSquares(out, x tensor.Tensor, n int) {
	p.time(opKey{name: "SumSquares"}, func() { p.Device.SumSquares(out, x, n) })
}

func (p *Profile) Encoder(out, tokens, wte, wpe tensor.Tensor, B, T, C, P int) {
	p.time(opKey{name: "Encoder"}, func() { p.Device.Encoder(out, tokens, wte, wpe, B, T, C, P) })
}

func (p *Profile) EncoderBackward(dwte, dwpe, dout, tokens tensor.Tensor, B, T, C, P int) {
	p.time(opKey{name: "EncoderBackward"}, func() { p.Device.EncoderBackward(dwte, dwpe, dout, tokens, B, T, C, P) })
}

func (p *Profile) LayerNorm(out, mean, rstd, inp, weight, bias tensor.Tensor, N, C int, eps float32) {
	p.time(opKey{name: "LayerNorm"}, func() { p.Device.LayerNorm(out, mean, rstd, inp, weight, bias, N, C, eps) })
}

func (p *Profile) LayerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd tensor.Tensor, N, C int) {
	p.time(opKey{name: "LayerNormBackward"}, func() { p.Device.LayerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C) })
}

func (p *Profile) Matmul(out, inp, weight, bias tensor.Tensor, N, C, OC int) {
	p.time(opKey{"Matmul", N, C, OC}, func() { p.Device.Matmul(out, inp, weight, bias, N, C, OC) })
}

func (p *Profile) MatmulBackward(dinp, dweight, dbias, dout, inp, weight tensor.Tensor, N, C, OC int) {
	p.time(opKey{"MatmulBackward", N, C, OC}, func() {
		p.Device.MatmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC)
	})
}

func (p *Profile) GELU(out, inp tensor.Tensor, n int) {
	p.time(opKey{name: "GELU"}, func() { p.Device.GELU(out, inp, n) })
}

func (p *Profile) GELUBackward(dinp, inp, dout tensor.Tensor, n int) {
	p.time(opKey{name: "GELUBackward"}, func() { p.Device.GELUBackward(dinp, inp, dout, n) })
}

func (p *Profile) Tanh(out, inp tensor.Tensor, n int) {
	p.time(opKey{name: "Tanh"}, func() { p.Device.Tanh(out, inp, n) })
}

func (p *Profile) TanhBackward(dinp, out, dout tensor.Tensor, n int) {
	p.time(opKey{name: "TanhBackward"}, func() { p.Device.TanhBackward(dinp, out, dout, n) })
}

func (p *Profile) RMSNorm(out, rstd, inp, weight tensor.Tensor, N, C int, eps float32) {
	p.time(opKey{name: "RMSNorm"}, func() { p.Device.RMSNorm(out, rstd, inp, weight, N, C, eps) })
}

func (p *Profile) RMSNormBackward(dinp, dweight, dout, inp, weight, rstd tensor.Tensor, N, C int) {
	p.time(opKey{name: "RMSNormBackward"}, func() { p.Device.RMSNormBackward(dinp, dweight, dout, inp, weight, rstd, N, C) })
}

func (p *Profile) RoPE(qkv, cos, sin tensor.Tensor, B, T, NH, KVH, HS int) {
	p.time(opKey{name: "RoPE"}, func() { p.Device.RoPE(qkv, cos, sin, B, T, NH, KVH, HS) })
}

func (p *Profile) RoPEBackward(dqkv, cos, sin tensor.Tensor, B, T, NH, KVH, HS int) {
	p.time(opKey{name: "RoPEBackward"}, func() { p.Device.RoPEBackward(dqkv, cos, sin, B, T, NH, KVH, HS) })
}

func (p *Profile) SwiGLU(out, gateUp tensor.Tensor, N, I int) {
	p.time(opKey{name: "SwiGLU"}, func() { p.Device.SwiGLU(out, gateUp, N, I) })
}

func (p *Profile) SwiGLUBackward(dgateUp, gateUp, dout tensor.Tensor, N, I int) {
	p.time(opKey{name: "SwiGLUBackward"}, func() { p.Device.SwiGLUBackward(dgateUp, gateUp, dout, N, I) })
}

func (p *Profile) Attention(out, att, qkv, pastK, pastV, valid tensor.Tensor, B, T, NH, KVH, HS, P, S int) {
	p.time(opKey{name: "Attention"}, func() { p.Device.Attention(out, att, qkv, pastK, pastV, valid, B, T, NH, KVH, HS, P, S) })
}

func (p *Profile) AttentionBackward(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att tensor.Tensor, B, T, NH, KVH, HS, P, S int) {
	p.time(opKey{name: "AttentionBackward"}, func() {
		p.Device.AttentionBackward(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att, B, T, NH, KVH, HS, P, S)
	})
}

func (p *Profile) CrossEntropy(losses, logits, targets tensor.Tensor, N, V int) {
	p.time(opKey{name: "CrossEntropy"}, func() { p.Device.CrossEntropy(losses, logits, targets, N, V) })
}

func (p *Profile) CrossEntropyBackward(dlogits, logits, targets, dlosses tensor.Tensor, N, V int) {
	p.time(opKey{name: "CrossEntropyBackward"}, func() { p.Device.CrossEntropyBackward(dlogits, logits, targets, dlosses, N, V) })
}

func (p *Profile) AdamW(params, grads, m, v tensor.Tensor, n int, lr, beta1, beta2, eps, wd float32, t int) {
	p.time(opKey{name: "AdamW"}, func() { p.Device.AdamW(params, grads, m, v, n, lr, beta1, beta2, eps, wd, t) })
}

func (p *Profile) Upload(dst tensor.Tensor, src []float32) {
	p.time(opKey{name: "Upload"}, func() { p.Device.Upload(dst, src) })
}

func (p *Profile) UploadInt32(dst tensor.Tensor, src []int32) {
	p.time(opKey{name: "Upload"}, func() { p.Device.UploadInt32(dst, src) })
}

func (p *Profile) Download(dst []float32, src tensor.Tensor) {
	p.time(opKey{name: "Download"}, func() { p.Device.Download(dst, src) })
}
