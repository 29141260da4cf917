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
type optimizer struct {
	opts          Options
	step          int           // steps taken
	params, grads tensor.Tensor // [n]
	m, v          tensor.Tensor // AdamW moments [n]
	norm          tensor.Tensor // [1] squared gradient norm
}

func newOptimizer(d tensor.Device, opts Options, params, grads tensor.Tensor) *optimizer {
	return &optimizer{opts: opts, params: params, grads: grads, m: d.Alloc(params.Len), v: d.Alloc(params.Len), norm: d.Alloc(1)}
}

// update clips the gradient, takes one AdamW step and returns the learning
// rate used and the gradient norm before clipping.
func (o *optimizer) update(d tensor.Device) (lr, norm float64) {
	n := o.params.Len
	d.SumSquares(o.norm, o.grads, n)
	sq := make([]float32, 1)
	d.Download(sq, o.norm)
	norm = math.Sqrt(float64(sq[0]))
	if o.opts.Clip > 0 {
		// torch.nn.utils.clip_grad_norm_: scale by min(1, clip/(norm+1e-6)).
		if coef := o.opts.Clip / (norm + 1e-6); coef < 1 {
			d.Scale(o.grads, float32(coef), n)
		}
	}
	lr = LR(o.opts.Schedule, o.opts.LR, o.step, o.opts.Warmup, o.opts.Steps)
	o.step++
	d.AdamW(o.params, o.grads, o.m, o.v, n, float32(lr), beta1, beta2, eps, float32(o.opts.WeightDecay), o.step)
	return lr, norm
}
