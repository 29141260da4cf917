package tune

import (
	"fmt"
	"math"
	"time"

	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/train"
)

// Memory is the arena a run needs, in bytes.
type Memory struct {
	Weights     int64 // the frozen model
	Activations int64 // activations and backward scratch of one batch
	Prefix      int64 // prefix, gradients, AdamW moments, last good state, MLP activations
}

// Total is the sum of the parts.
func (m Memory) Total() int64 { return m.Weights + m.Activations + m.Prefix }

// EstimateMemory returns the arena a run of a prefix of s.P tokens (MLP
// hidden size E) needs on a model of c with activations of shape s: what
// model.New, prefix.New and train.New allocate (16-bit weights, as
// c.Weights says, at two bytes).
func EstimateMemory(c model.Config, E int, s model.Shape) Memory {
	P := s.P
	W, C := c.PrefixWidth(), c.TokenDim()
	n := P * W // trainable floats
	extra := 0 // floats besides Params and Grads
	if E > 0 {
		n = P*C + E*C + E + W*E + W
		extra = 4*P*E + 2*P*W
	}
	return Memory{
		Weights:     model.WeightBytes(c),
		Activations: 4 * int64(model.NumActs(c, s)),
		Prefix:      4 * int64(2*n+extra+5*n+1), // params, grads, MLP; AdamW m, v, the last good params, m, v; the norm
	}
}

// StepFLOPs is about the floating-point work of one optimiser step on
// sequences of the lengths lens after P prefix positions, H positions of
// which have a target (and so run the output layer): the forward pass,
// and the backward pass without weight gradients (one matmul per forward
// matmul, two attention passes per forward one). A batch runs packed, so
// padding costs nothing.
func StepFLOPs(c model.Config, P int, lens []int, H int) float64 {
	C, L, V := float64(c.NEmbd), float64(c.NLayer), float64(c.VocabSize)
	A, QKV, F := float64(c.NHead*c.HeadSize()), float64(c.QKVWidth()), float64(c.Inner())
	FC := F // GPT-2's fc: 4C outputs; Llama's stacked gate and up: 2I
	if c.Llama() {
		FC = 2 * F
	}
	var N, keys float64 // positions; query-key pairs
	for _, n := range lens {
		N += float64(n)
		keys += float64(n) * float64(P+n)
	}
	matmul := 2 * (N*L*(C*QKV+A*C+C*FC+F*C) + float64(H)*C*V) // qkv, proj, fc, fc proj; the output layer
	attention := 4 * keys * L * A                             // scores and weighted values
	return 2*matmul + 3*attention
}

// MeanStepFLOPs is StepFLOPs averaged over the steps of the first epoch
// of a run of o over seqs.
func MeanStepFLOPs(c model.Config, o Options, seqs []data.Sequence) float64 {
	return meanFLOPs(c, o.PrefixLen, seqs, o.loader(seqs, 0).Epoch(0))
}

// meanFLOPs is StepFLOPs averaged over batches of seqs (0 for none).
func meanFLOPs(c model.Config, P int, seqs []data.Sequence, batches [][]int) float64 {
	if len(batches) == 0 {
		return 0
	}
	var sum float64
	for _, rows := range batches {
		lens, H := tally(seqs, rows)
		sum += StepFLOPs(c, P, lens, H)
	}
	return sum / float64(len(batches))
}

// tally returns the lengths of seqs[rows] and their number of targets.
func tally(seqs []data.Sequence, rows []int) (lens []int, H int) {
	lens = make([]int, len(rows))
	for i, r := range rows {
		lens[i], H = len(seqs[r].Tokens), H+seqs[r].NumTargets()
	}
	return lens, H
}

// MeasureStep times optimiser steps of a run of o over seqs (pad: the
// padding token) on the first batch of its first epoch, with a fresh
// random prefix on m's device, and returns the seconds of a step scaled
// to the mean step of the first epoch by their FLOPs: everything a step
// does, not only its products (most of the time of a small model). A step
// of a second or more is timed once; shorter ones repeat (the first also
// warms the device up) and the fastest counts. It allocates on m's device.
func MeasureStep(m *model.Model, o Options, seqs []data.Sequence, pad int32) (float64, error) {
	batches := o.loader(seqs, pad).Epoch(0)
	if len(batches) == 0 {
		return 0, fmt.Errorf("no training data to time a step on")
	}
	first := make([]data.Sequence, len(batches[0]))
	for i, r := range batches[0] {
		first[i] = seqs[r]
	}
	db := data.MakeBatch(first, pad)
	lens, H := tally(seqs, batches[0])
	N := 0
	for _, n := range lens {
		N += n
	}
	p := prefix.New(m, o.PrefixLen, o.Projection)
	p.InitRandom(m, o.Seed)
	tr := train.New(m, p, train.Options{LR: 1e-9, Schedule: train.Constant, Steps: 8}, model.Shape{B: db.B, T: db.T, N: N, H: H})
	b := Batch(db)
	best, spent := math.Inf(1), 0.0
	for i := 0; i < 5; i++ {
		start := time.Now()
		if _, err := tr.TrainStep(b); err != nil {
			return 0, err
		}
		t := time.Since(start).Seconds()
		best, spent = min(best, t), spent+t
		if spent >= 1 || i > 0 && spent >= 0.2 {
			break
		}
	}
	return best * meanFLOPs(m.Config, o.PrefixLen, seqs, batches) / StepFLOPs(m.Config, o.PrefixLen, lens, H), nil
}
