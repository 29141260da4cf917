package train

import (
	"fmt"

	"prefixtune/core/model"
	"prefixtune/core/tensor"
)

// Pretrainer trains every weight of a model: how the bundled demo model is
// made, and the full fine-tuning baseline. Weight decay applies to all
// weights, as torch.optim.AdamW does to a single parameter group.
type Pretrainer struct {
	Model *model.Model
	acts  *model.Acts
	opt   *optimizer
}

// NewPretrainer prepares full training of m for batches up to shape s
// (whose activations it keeps for weight gradients: Shape.Weights).
func NewPretrainer(m *model.Model, opts Options, s model.Shape) *Pretrainer {
	m.EnableWeightGrads()
	s.Weights = true
	return &Pretrainer{Model: m, acts: model.NewActs(m.Dev, m.Config, s), opt: newOptimizer(m.Dev, opts, m.Params.All, m.Grads.All)}
}

// Step is the number of optimiser steps taken.
func (t *Pretrainer) Step() int { return t.opt.step }

// TrainStep takes one optimiser step on b.
func (t *Pretrainer) TrainStep(b model.Batch) (StepResult, error) {
	m, d := t.Model, t.Model.Dev
	sum, n, err := m.Forward(t.acts, model.Prefix{}, b)
	if err != nil {
		return StepResult{}, err
	}
	if n == 0 {
		return StepResult{}, fmt.Errorf("the batch has no target tokens")
	}
	loss := sum / float64(n)
	d.Zero(m.Grads.All)
	m.Backward(t.acts, model.Prefix{}, tensor.Tensor{}, float32(1/float64(n)))
	lr, norm, rec := t.opt.update(d, loss)
	return StepResult{Step: t.opt.step, Loss: loss, LR: lr, Tokens: n, GradNorm: norm, Recovered: rec}, nil
}

// Loss returns the sum of target losses of b and their number.
func (t *Pretrainer) Loss(b model.Batch) (float64, int, error) {
	return t.Model.Forward(t.acts, model.Prefix{}, b)
}
