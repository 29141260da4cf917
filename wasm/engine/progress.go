//go:build js && wasm

package main

import (
	"syscall/js"

	"prefixtune/core/tensor"
)

// progressEveryTrain is the least time between two Progress events of a
// run, between steps or from inside one; the page's test hooks may shorten
// it (main.go).
var progressEveryTrain = progressEvery

// ticking is the engine's device: it counts the matrix products (four a
// layer forward, four backward, and the output layer), and calls on after
// each, so that a step that takes longer than a second still reports its
// progress from inside (between layers).
type ticking struct {
	tensor.Device
	calls int    // matrix products since the count was last reset
	on    func() // nil: nothing to call
}

func (d *ticking) Matmul(out, inp, weight, bias tensor.Tensor, N, C, OC int) {
	d.Device.Matmul(out, inp, weight, bias, N, C, OC)
	d.tick()
}

func (d *ticking) MatmulBackward(dinp, dweight, dbias, dout, inp, weight tensor.Tensor, N, C, OC int) {
	d.Device.MatmulBackward(dinp, dweight, dbias, dout, inp, weight, N, C, OC)
	d.tick()
}

func (d *ticking) tick() {
	d.calls++
	if d.on != nil {
		d.on()
	}
}

// poolThreads is the number of threads of the kernel pool.
func poolThreads() int {
	if n := global.Get("prefixtunePoolThreads"); n.Type() == js.TypeNumber {
		return max(1, n.Int())
	}
	return 1
}
