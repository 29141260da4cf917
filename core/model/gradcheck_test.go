package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
)

// llamaTiny has grouped queries, an odd head count over an explicit
// head_dim, an untied head and llama3 rope scaling.
var llamaTiny = Config{ModelType: "llama", NLayer: 2, NHead: 3, NKVHead: 1, HeadDim: 4, NEmbd: 8, Intermediate: 12,
	NPositions: 16, VocabSize: 11, LayerNorm: 1e-5, Activation: "silu", RopeTheta: 50, Untied: true,
	RopeScaling: RopeScaling{Type: "llama3", Factor: 4, LowFreqFactor: 1, HighFreqFactor: 2, OriginalMaxPositions: 8}}

var gpt2Tiny = Config{ModelType: "gpt2", NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: 11, LayerNorm: 1e-5, Activation: "gelu_new"}

// randomModel returns a model of c on the reference device, with weight
// gradients, and a prefix of P rows, their values drawn from rng.
func randomModel(t *testing.T, c Config, rng *rand.Rand, P int) (*Model, Prefix) {
	d := tensor.NewCPU()
	m, err := New(d, c)
	if err != nil {
		t.Fatal(err)
	}
	m.EnableWeightGrads()
	for i, params := 0, d.F(m.Params.All); i < len(params); i++ {
		params[i] = float32(rng.NormFloat64() * 0.3)
	}
	pre := Prefix{Rows: d.Alloc(P * c.PrefixWidth()), P: P}
	for i, rows := 0, d.F(pre.Rows); i < len(rows); i++ {
		rows[i] = float32(rng.NormFloat64() * 0.5)
	}
	return m, pre
}

// TestGradientsFiniteDifference checks Backward's weight and prefix
// gradients of a tiny GPT-2 and a tiny Llama against central differences
// of Forward.
func TestGradientsFiniteDifference(t *testing.T) {
	for _, c := range []Config{gpt2Tiny, llamaTiny} {
		t.Run(c.ModelType, func(t *testing.T) { gradCheck(t, c) })
	}
}

func gradCheck(t *testing.T, c Config) {
	const P = 3
	rng := rand.New(rand.NewPCG(5, 6))
	m, pre := randomModel(t, c, rng, P)
	d := m.Dev.(*tensor.CPU)
	dpre := d.Alloc(pre.Rows.Len)
	b := Batch{B: 2, T: 5,
		Tokens:  []int32{1, 4, 2, 9, 3, 7, 7, 0, 10, 10},
		Targets: []int32{-1, 2, 9, 3, -1, 7, 0, 5, -1, -1},
		Valid:   []float32{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}}
	a := NewActs(d, c, Shape{B: 2, T: 5, P: P, Weights: true})
	loss := func() float64 {
		sum, n, err := m.Forward(a, pre, b)
		if err != nil {
			t.Fatal(err)
		}
		return sum / float64(n)
	}
	_, n, _ := m.Forward(a, pre, b)
	m.Backward(a, pre, dpre, float32(1/float64(n)))

	check := func(name string, x, g tensor.Tensor) {
		xs, gs := d.F(x), d.F(g)
		var maxGrad, maxErr float64
		for k := 0; k < 12; k++ {
			i := rng.IntN(len(xs))
			orig := xs[i]
			const eps = 1e-2
			xs[i] = orig + eps
			lp := loss()
			xs[i] = orig - eps
			lm := loss()
			xs[i] = orig
			num := (lp - lm) / (2 * eps)
			maxGrad = math.Max(maxGrad, math.Abs(num))
			maxErr = math.Max(maxErr, math.Abs(num-float64(gs[i])))
		}
		if maxErr > 2e-3*math.Max(maxGrad, 1e-2) {
			t.Errorf("%s: gradient differs from finite differences by %.3g (largest %.3g)", name, maxErr, maxGrad)
		}
	}
	names := []string{"wte", "wpe", "ln1w", "ln1b", "qkvw", "qkvb", "attprojw", "attprojb", "ln2w", "ln2b", "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb", "lmhead"}
	pf, gf := m.Params.fields(), m.Grads.fields()
	for i, name := range names {
		if !pf[i].Absent() {
			check(name, *pf[i], *gf[i])
		}
	}
	check("prefix", pre.Rows, dpre)
}
