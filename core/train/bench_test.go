package train

import (
	"fmt"
	"testing"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
)

// BenchmarkStepGPT2Small times one prefix-tuning step (forward, backward to
// the prefix, AdamW) of a GPT-2-small-shaped model with random weights at
// B=4, T=128, P=10 on the fast native device, with one thread and all.
func BenchmarkStepGPT2Small(b *testing.B) {
	benchStep(b, model.Config{ModelType: "gpt2", NLayer: 12, NHead: 12, NEmbd: 768, NPositions: 1024,
		VocabSize: 50257, LayerNorm: 1e-5, Activation: "gelu_new"})
}

// BenchmarkStepSmolLM2 times the same step on a SmolLM2-135M-shaped Llama
// (30 layers, hidden 576, 9 heads sharing 3 key/value heads, SwiGLU 1536,
// vocabulary 49152, tied) with random BF16 weights kept 16-bit.
func BenchmarkStepSmolLM2(b *testing.B) {
	benchStep(b, model.Config{ModelType: "llama", NLayer: 30, NHead: 9, NKVHead: 3, HeadDim: 64, NEmbd: 576, Intermediate: 1536,
		NPositions: 8192, VocabSize: 49152, LayerNorm: 1e-5, Activation: "silu", RopeTheta: 100000, Weights: tensor.BF16})
}

// benchStep times TrainStep of a model of config c with random weights and
// prefix at B=4, T=128, P=10 on the fast native device, with one thread
// (threads=1) and all (threads=0), and reports real tokens/s: with a
// target at every position (batch=all, as plain text trains); at the
// second half of each sequence only (batch=half, a prompt and its
// completion), where the output head runs on half the positions; and on
// sequences of 128, 96, 64 and 32 tokens (batch=padded, 37.5 % of the
// batch padding, about what the bundled datasets have).
func benchStep(b *testing.B, c model.Config) {
	const B, T, P = 4, 128, 10
	for _, threads := range []int{1, 0} {
		for _, kind := range []string{"all", "half", "padded"} {
			b.Run(fmt.Sprintf("threads=%d/batch=%s", threads, kind), func(b *testing.B) { benchSteps(b, c, B, T, P, threads, kind) })
		}
	}
}

// benchSteps runs one case of benchStep.
func benchSteps(b *testing.B, c model.Config, B, T, P, threads int, kind string) {
	batch := model.Batch{B: B, T: T, Tokens: make([]int32, B*T), Targets: make([]int32, B*T), Valid: make([]float32, B*T)}
	real := 0
	for i := range batch.Tokens {
		batch.Tokens[i] = int32(i * 7919 % c.VocabSize)
		batch.Targets[i] = int32((i + 1) * 7919 % c.VocabSize)
		switch t, n := i%T, T-T/4*(i/T); {
		case kind == "half" && t < T/2:
			batch.Targets[i] = -1
		case kind == "padded" && t >= n:
			batch.Targets[i] = -1
			continue
		}
		batch.Valid[i] = 1
		real++
	}
	m, err := model.New(tensor.NewFast(threads), c)
	if err != nil {
		b.Fatal(err)
	}
	m.InitRandom(1)
	p := prefix.New(m, P, 0)
	p.InitRandom(m, 1)
	tr := New(m, p, Options{LR: 1e-3, Schedule: Constant, Steps: b.N}, model.Shape{B: B, T: T})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.TrainStep(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(real*b.N)/b.Elapsed().Seconds(), "tokens/s")
}
