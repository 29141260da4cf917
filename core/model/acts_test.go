package model

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"prefixtune/core/tensor"
)

// TestFrozenArena: with the weights frozen, an arena that keeps one layer
// of the matmul inputs and outputs gives the same losses and prefix
// gradient as one that keeps every layer, in the memory of one layer of
// those six tensors; and Backward refuses weight gradients on it.
func TestFrozenArena(t *testing.T) {
	for _, c := range []Config{gpt2Tiny, llamaTiny} {
		t.Run(c.ModelType, func(t *testing.T) { frozenArena(t, c) })
	}
}

func frozenArena(t *testing.T, c Config) {
	const P, B, T = 3, 3, 5
	rng := rand.New(rand.NewPCG(3, 4))
	m, pre := randomModel(t, c, rng, P)
	grads := m.Grads
	m.Grads = Params{} // frozen: no weight gradients
	d := m.Dev.(*tensor.CPU)
	b := Batch{B: B, T: T}
	for i := 0; i < B*T; i++ {
		valid, target := float32(1), int32(rng.IntN(c.VocabSize))
		if i%T >= T-i/T { // row r has T-r real tokens
			valid, target = 0, -1
		}
		b.Tokens, b.Targets, b.Valid = append(b.Tokens, int32(rng.IntN(c.VocabSize))), append(b.Targets, target), append(b.Valid, valid)
	}
	run := func(s Shape) (losses, dpre []float32) {
		a := NewActs(d, c, s)
		dp := d.Alloc(pre.Rows.Len)
		if _, _, err := m.Forward(a, pre, b); err != nil {
			t.Fatal(err)
		}
		m.Backward(a, pre, dp, 1)
		return append([]float32(nil), d.F(a.Losses)[:len(b.outputs())]...), d.F(dp)
	}
	frozen, full := Shape{B: B, T: T, P: P}, Shape{B: B, T: T, P: P, Weights: true}
	l1, p1 := run(frozen)
	l2, p2 := run(full)
	if !reflect.DeepEqual(l1, l2) || !reflect.DeepEqual(p1, p2) {
		t.Errorf("one layer kept: losses %v, prefix gradient %v;\nevery layer kept: %v, %v", l1, p1[:4], l2, p2[:4])
	}

	fs, ws := ActSizes(c, frozen), ActSizes(c, full)
	// Their indices in ActSizes.
	for name, j := range map[string]int{"ln1": 4, "atty": 8, "attProj": 10, "ln2": 12, "fchGelu": 16, "fcProj": 17} {
		if fs[j]*c.NLayer != ws[j] {
			t.Errorf("%s: %d floats with the weights frozen, %d with weight gradients; want one layer of %d", name, fs[j], ws[j], c.NLayer)
		}
	}

	m.Grads = grads
	defer func() {
		if recover() == nil {
			t.Error("Backward computed weight gradients on an arena that keeps one layer")
		}
	}()
	run(frozen)
}
