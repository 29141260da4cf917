package tensor

import (
	"runtime"
	"sync"
)

// Fast is the native fast device. It shares the reference device's arena
// (it embeds *CPU) and overrides the ops that pay off: matmuls as tiled
// GEMMs on gonum's blas32 (fast_matmul.go), attention as small GEMMs split
// by head (fast_attention.go), and elsewhere the reference loops run in
// parallel on rows, columns or ranges of slots (fast.go, fast_rows.go).
//
// Every output slot is computed by one goroutine with a fixed order of
// operations, so results do not depend on the number of threads.
type Fast struct {
	*CPU
	threads int
}

// NewFast returns an empty fast device running up to threads goroutines
// per op; threads <= 0 means runtime.GOMAXPROCS(0).
func NewFast(threads int) *Fast {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	return &Fast{CPU: NewCPU(), threads: threads}
}

func (d *Fast) Name() string { return "fast" }

// minWork is the least work, counted in slot operations, that is worth a
// goroutine of its own.
const minWork = 1 << 14

// run calls f on [0,n) split into at most d.threads contiguous ranges of
// items that each cost about cost slot operations. Ranges too small to pay
// for a goroutine are merged, so small ops run inline.
func (d *Fast) run(n, cost int, f func(lo, hi int)) {
	grain := max(1, minWork/max(1, cost))
	parts := min(d.threads, n/grain)
	if parts <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := 1; p < parts; p++ {
		lo, hi := n*p/parts, n*(p+1)/parts
		wg.Go(func() { f(lo, hi) })
	}
	f(0, n/parts)
	wg.Wait()
}

func (d *Fast) Add(out, a, b Tensor, n int) {
	o, x, y := d.F(out), d.F(a), d.F(b)
	d.run(n, 1, func(lo, hi int) { addRef(o[lo:hi], x[lo:hi], y[lo:hi], hi-lo) })
}

func (d *Fast) Scale(x Tensor, s float32, n int) {
	v := d.F(x)
	d.run(n, 1, func(lo, hi int) { scaleRef(v[lo:hi], s, hi-lo) })
}

// sumBlock is the fixed block of SumSquares partial sums, so the result
// does not depend on the number of threads.
const sumBlock = 1 << 14

func (d *Fast) SumSquares(out, x Tensor, n int) {
	v := d.F(x)
	partial := make([]float64, (n+sumBlock-1)/sumBlock)
	d.run(len(partial), sumBlock, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			var s float64
			for _, f := range v[i*sumBlock : min(n, (i+1)*sumBlock)] {
				s += float64(f) * float64(f)
			}
			partial[i] = s
		}
	})
	var s float64
	for _, p := range partial {
		s += p
	}
	d.F(out)[0] = float32(s)
}

// transcendental ops (float64 tanh, exp, sqrt) cost this many slot
// operations per element.
const transcendental = 16

func (d *Fast) GELU(out, inp Tensor, n int) {
	o, x := d.F(out), d.F(inp)
	d.run(n, transcendental, func(lo, hi int) { geluRef(o[lo:hi], x[lo:hi], hi-lo) })
}

func (d *Fast) GELUBackward(dinp, inp, dout Tensor, n int) {
	dx, x, g := d.F(dinp), d.F(inp), d.F(dout)
	d.run(n, transcendental, func(lo, hi int) { geluBackwardRef(dx[lo:hi], x[lo:hi], g[lo:hi], hi-lo) })
}

func (d *Fast) Tanh(out, inp Tensor, n int) {
	o, x := d.F(out), d.F(inp)
	d.run(n, transcendental, func(lo, hi int) { tanhRef(o[lo:hi], x[lo:hi], hi-lo) })
}

func (d *Fast) TanhBackward(dinp, out, dout Tensor, n int) {
	dx, y, g := d.F(dinp), d.F(out), d.F(dout)
	d.run(n, 1, func(lo, hi int) { tanhBackwardRef(dx[lo:hi], y[lo:hi], g[lo:hi], hi-lo) })
}

func (d *Fast) AdamW(params, grads, m, v Tensor, n int, lr, beta1, beta2, eps, wd float32, t int) {
	p, g, mm, vv := d.F(params), d.F(grads), d.F(m), d.F(v)
	d.run(n, transcendental, func(lo, hi int) {
		adamWRef(p[lo:hi], g[lo:hi], mm[lo:hi], vv[lo:hi], hi-lo, lr, beta1, beta2, eps, wd, t)
	})
}
