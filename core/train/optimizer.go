package train

import (
	"math"

	"prefixtune/core/tensor"
)

// AdamW's constants, as torch.optim.AdamW's defaults.
const (
	beta1 = 0.9
	beta2 = 0.999
	eps   = 1e-8
)

// optimizer is AdamW with gradient clipping and a schedule over one
// parameter vector and its gradient, with its moments on the same device.
//
// It keeps the state after the last good step: a step whose loss or
// gradient is not finite, or whose update would make a parameter not
// finite, is undone (parameters and moments go back to that state) and the
// learning rate is halved from then on.
type optimizer struct {
	opts          Options
	step          int           // steps taken
	lrScale       float64       // 1, halved at every recovery
	params, grads tensor.Tensor // [n]
	m, v          tensor.Tensor // AdamW moments [n]
	norm          tensor.Tensor // [1] squared norm
	good          tensor.Tensor // [3n] params, m, v after the last good step
}

func newOptimizer(d tensor.Device, opts Options, params, grads tensor.Tensor) *optimizer {
	n := params.Len
	o := &optimizer{opts: opts, lrScale: 1, params: params, grads: grads, m: d.Alloc(n), v: d.Alloc(n), norm: d.Alloc(1), good: d.Alloc(3 * n)}
	o.keep(d)
	return o
}

// keep and undo copy params, m and v to and from the last good state.
func (o *optimizer) keep(d tensor.Device) {
	n := o.params.Len
	d.Copy(o.good.Slice(0, n), o.params)
	d.Copy(o.good.Slice(n, n), o.m)
	d.Copy(o.good.Slice(2*n, n), o.v)
}

func (o *optimizer) undo(d tensor.Device) {
	n := o.params.Len
	d.Copy(o.params, o.good.Slice(0, n))
	d.Copy(o.m, o.good.Slice(n, n))
	d.Copy(o.v, o.good.Slice(2*n, n))
}

// sumSquares returns the sum of the squares of x.
func (o *optimizer) sumSquares(d tensor.Device, x tensor.Tensor) float64 {
	d.SumSquares(o.norm, x, x.Len)
	sq := make([]float32, 1)
	d.Download(sq, o.norm)
	return float64(sq[0])
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// update clips the gradient and takes one AdamW step; it returns the
// learning rate used, the gradient norm before clipping, and whether the
// step was undone (see optimizer) instead. loss is the batch's loss.
func (o *optimizer) update(d tensor.Device, loss float64) (lr, norm float64, recovered bool) {
	n := o.params.Len
	norm = math.Sqrt(o.sumSquares(d, o.grads))
	lr = o.lrScale * LR(o.opts.Schedule, o.opts.LR, o.step, o.opts.Warmup, o.opts.Steps)
	o.step++
	if !finite(loss) || !finite(norm) {
		o.undo(d)
		o.lrScale /= 2
		return lr, norm, true
	}
	if o.opts.Clip > 0 {
		// torch.nn.utils.clip_grad_norm_: scale by min(1, clip/(norm+1e-6)).
		if coef := o.opts.Clip / (norm + 1e-6); coef < 1 {
			d.Scale(o.grads, float32(coef), n)
		}
	}
	d.AdamW(o.params, o.grads, o.m, o.v, n, float32(lr), beta1, beta2, eps, float32(o.opts.WeightDecay), o.step)
	if !finite(o.sumSquares(d, o.params)) {
		o.undo(d)
		o.lrScale /= 2
		return lr, norm, true
	}
	o.keep(d)
	return lr, norm, false
}
