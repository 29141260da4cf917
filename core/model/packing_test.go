package model

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"prefixtune/core/tensor"
)

func TestPackLayout(t *testing.T) {
	// Rows of 3, 3, 0 (all padding), 5 and 2 positions; row 4's output
	// position 3 keeps it to 4 although its last real token is at 1.
	valid := []float32{
		1, 1, 1, 0, 0,
		1, 1, 1, 0, 0,
		0, 0, 0, 0, 0,
		1, 1, 1, 1, 1,
		1, 1, 0, 0, 0,
	}
	b := Batch{B: 5, T: 5, Valid: valid}
	outputs := []int{1, 2, 6, 19, 23}
	const NH, P = 2, 4
	pk := pack(b, outputs, NH, P)
	want := []span{{Row: 0, Att: 0, B: 2, T: 3}, {Row: 6, Att: 2 * NH * 3 * (P + 3), B: 1, T: 5}, {Row: 11, Att: 2*NH*3*(P+3) + NH*5*(P+5), B: 1, T: 4}}
	if pk.N != 15 || !reflect.DeepEqual(pk.spans, want) {
		t.Fatalf("pack: %d rows in spans %+v, want 15 in %+v", pk.N, pk.spans, want)
	}
	if got := pk.rows(outputs); !reflect.DeepEqual(got, []int{1, 2, 4, 10, 14}) {
		t.Errorf("rows(%v) = %v", outputs, got)
	}
}

// TestPackedEqualsAlone runs a right-padded batch of sequences of several
// lengths (and a row of padding only) and each sequence alone, unpadded:
// the losses must be the same floats, and the prefix and weight gradients
// the sums of the sequences' within rounding.
func TestPackedEqualsAlone(t *testing.T) {
	for _, c := range []Config{gpt2Tiny, llamaTiny} {
		t.Run(c.ModelType, func(t *testing.T) { packedEqualsAlone(t, c) })
	}
}

func packedEqualsAlone(t *testing.T, c Config) {
	const P, T = 3, 6
	rng := rand.New(rand.NewPCG(7, 8))
	m, pre := randomModel(t, c, rng, P)
	d := m.Dev.(*tensor.CPU)
	lens := []int{6, 3, 0, 3, 5}
	b := Batch{B: len(lens), T: T}
	for _, n := range lens {
		for i := 0; i < T; i++ {
			tok, target, valid := int32(rng.IntN(c.VocabSize)), int32(-1), float32(0)
			if i < n {
				valid = 1
				if i > 0 {
					target = int32(rng.IntN(c.VocabSize))
				}
			}
			b.Tokens, b.Targets, b.Valid = append(b.Tokens, tok), append(b.Targets, target), append(b.Valid, valid)
		}
	}

	// run returns the losses at b's targets, the prefix gradient and the
	// weight gradients of their sum.
	run := func(b Batch) (losses, dpre, dw []float32) {
		a := NewActs(d, c, Shape{B: b.B, T: b.T, P: P, Weights: true})
		dp := d.Alloc(pre.Rows.Len)
		d.Zero(m.Grads.All)
		if _, _, err := m.Forward(a, pre, b); err != nil {
			t.Fatal(err)
		}
		m.Backward(a, pre, dp, 1)
		nh := len(b.outputs())
		return append([]float32(nil), d.F(a.Losses)[:nh]...), append([]float32(nil), d.F(dp)...), append([]float32(nil), d.F(m.Grads.All)...)
	}
	losses, dpre, dw := run(b)
	var alone []float32
	sumPre, sumW := make([]float32, len(dpre)), make([]float32, len(dw))
	for s, n := range lens {
		if n == 0 {
			continue
		}
		row := s * T
		l, p, w := run(Batch{B: 1, T: n, Tokens: b.Tokens[row : row+n], Targets: b.Targets[row : row+n], Valid: b.Valid[row : row+n]})
		alone = append(alone, l...)
		for i := range p {
			sumPre[i] += p[i]
		}
		for i := range w {
			sumW[i] += w[i]
		}
	}
	if !reflect.DeepEqual(losses, alone) {
		t.Errorf("losses of the batch %v, of its sequences alone %v", losses, alone)
	}
	for name, g := range map[string][2][]float32{"prefix": {dpre, sumPre}, "weights": {dw, sumW}} {
		var maxAbs, maxErr float64
		for i := range g[0] {
			maxAbs = math.Max(maxAbs, math.Abs(float64(g[1][i])))
			maxErr = math.Max(maxErr, math.Abs(float64(g[0][i]-g[1][i])))
		}
		if maxErr > 1e-5*maxAbs {
			t.Errorf("%s gradient: the batch's differs from the sum of its sequences' by %.3g (largest %.3g)", name, maxErr, maxAbs)
		}
	}
}
