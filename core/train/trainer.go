package train

import (
	"fmt"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
)

// Options are the optimiser settings of a run.
type Options struct {
	LR          float64
	Schedule    Schedule
	Warmup      int
	Steps       int // total optimiser steps, for the schedule
	WeightDecay float64
	Clip        float64 // max global gradient norm; 0 disables clipping
}

// Trainer tunes a prefix of a frozen model.
type Trainer struct {
	Model  *model.Model
	Prefix *prefix.Prefix

	acts *model.Acts
	opt  *optimizer
}

// StepResult describes one optimiser step.
type StepResult struct {
	Step     int     // 1-based
	Loss     float64 // mean target-token loss of the batch before the update
	LR       float64 // learning rate used
	Tokens   int     // target tokens in the batch
	GradNorm float64 // global gradient norm before clipping
	// Recovered reports a step undone because its loss, gradient or update
	// was not finite; the learning rate is halved from then on.
	Recovered bool
}

// New prepares a trainer for batches up to shape s (s.P is taken from the prefix).
func New(m *model.Model, p *prefix.Prefix, opts Options, s model.Shape) *Trainer {
	d := m.Dev
	s.P = p.P
	return &Trainer{Model: m, Prefix: p, acts: model.NewActs(d, m.Config, s), opt: newOptimizer(d, opts, p.Params, p.Grads)}
}

// Loss runs the forward pass and returns the sum of target losses and the
// number of targets. The activations stay in the trainer for Gradients.
func (t *Trainer) Loss(b model.Batch) (float64, int, error) {
	t.Prefix.Forward(t.Model.Dev)
	return t.Model.Forward(t.acts, t.Prefix.Out, b)
}

// Gradients computes the gradient of the batch's mean target loss into
// Prefix.Grads and returns that loss and the number of targets.
func (t *Trainer) Gradients(b model.Batch) (float64, int, error) {
	sum, n, err := t.Loss(b)
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("the batch has no target tokens: every completion was cut off by the sequence length; raise --seq-len or shorten the prompts")
	}
	d := t.Model.Dev
	t.Prefix.ZeroGrads(d)
	t.Model.Backward(t.acts, t.Prefix.Out, t.Prefix.DOut, float32(1/float64(n)))
	t.Prefix.Backward(d)
	return sum / float64(n), n, nil
}

// TrainStep takes one optimiser step on b.
func (t *Trainer) TrainStep(b model.Batch) (StepResult, error) {
	loss, n, err := t.Gradients(b)
	if err != nil {
		return StepResult{}, err
	}
	lr, norm, rec := t.opt.update(t.Model.Dev, loss)
	return StepResult{Step: t.opt.step, Loss: loss, LR: lr, Tokens: n, GradNorm: norm, Recovered: rec}, nil
}

// Step is the number of optimiser steps taken.
func (t *Trainer) Step() int { return t.opt.step }

// Logits returns the logits [Nh,V] of the last forward pass at the batch's
// output positions (model.Batch.Outputs), valid until the next Gradients,
// whose backward pass overwrites them.
func (t *Trainer) Logits() tensor.Tensor { return t.acts.Logits }
