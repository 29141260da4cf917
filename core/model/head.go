package model

import "prefixtune/core/tensor"

// The head (the output embedding and the loss) runs only at the batch's
// output positions: the final norm's (packed) rows there are gathered into
// a.HeadIn [Nh,C], so that prompt, padding and (in generation) all but the
// last position cost no [C,V] product, the largest of a step.

// outputs returns the positions whose logits Forward computes: b.Outputs,
// or else every position with a target.
func (b Batch) outputs() []int {
	if b.Outputs != nil {
		return b.Outputs
	}
	var rows []int
	for i, t := range b.Targets {
		if t >= 0 {
			rows = append(rows, i)
		}
	}
	return rows
}

// runs calls f for every maximal run of consecutive rows in rows
// (ascending): n rows from pos, at index at of rows.
func runs(rows []int, f func(pos, at, n int)) {
	for at := 0; at < len(rows); {
		n := 1
		for at+n < len(rows) && rows[at+n] == rows[at]+n {
			n++
		}
		f(rows[at], at, n)
		at += n
	}
}

// headForward leaves in a the logits [Nh,V] and losses [Nh] (0 where the
// target is -1; also in a.HostLosses) of the Nh = len(rows) output rows
// of the final norm's output a.LNF [N,C], whose targets are targets [Nh],
// and returns the sum of the losses at targets and their number.
func (m *Model) headForward(a *Acts, rows []int, targets []int32) (lossSum float64, n int) {
	d, C, V, Nh := m.Dev, m.Config.NEmbd, m.Config.VocabSize, len(rows)
	if Nh == 0 {
		return 0, 0
	}
	d.UploadInt32(a.Targets.Slice(0, Nh), targets)
	runs(rows, func(pos, at, n int) { d.Copy(a.HeadIn.Slice(at*C, n*C), a.LNF.Slice(pos*C, n*C)) })
	d.Matmul(a.Logits, a.HeadIn, m.head(m.Params), tensor.Tensor{}, Nh, C, V)
	d.CrossEntropy(a.Losses, a.Logits, a.Targets, Nh, V)

	losses := a.HostLosses[:Nh]
	d.Download(losses, a.Losses.Slice(0, Nh))
	for j, t := range targets {
		if t >= 0 {
			lossSum += float64(losses[j])
			n++
		}
	}
	return lossSum, n
}

// headBackward back-propagates scale * (sum of the losses at targets)
// through the head into dln [N,C] (zeroed first; rows that are not output
// rows stay 0), using dres [N,C] as scratch, and into the head's weight
// gradient if enabled. It overwrites the logits.
func (m *Model) headBackward(dln, dres tensor.Tensor, a *Acts, rows []int, targets []int32, scale float32) {
	d, C, V, Nh := m.Dev, m.Config.NEmbd, m.Config.VocabSize, len(rows)
	d.Zero(dln)
	if Nh == 0 {
		return
	}
	dl := make([]float32, Nh)
	for j, t := range targets {
		if t >= 0 {
			dl[j] = scale
		}
	}
	d.Upload(a.Losses.Slice(0, Nh), dl)
	d.CrossEntropyBackward(a.Logits, a.Logits, a.Targets, a.Losses, Nh, V)
	dhead := dres.Slice(0, Nh*C) // [Nh,C]
	d.Zero(dhead)
	d.MatmulBackward(dhead, m.head(m.Grads), tensor.Tensor{}, a.Logits.Slice(0, Nh*V), a.HeadIn, m.head(m.Params), Nh, C, V)
	runs(rows, func(pos, at, n int) { d.Copy(dln.Slice(pos*C, n*C), dhead.Slice(at*C, n*C)) })
}
