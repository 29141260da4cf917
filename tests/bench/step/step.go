package step

import (
	"fmt"
	"math"
	"slices"
	"time"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/train"
	"prefixtune/core/tune"
)

// GPT2Small is GPT-2 small's shape (124M float32 weights).
var GPT2Small = model.Config{ModelType: "gpt2", NLayer: 12, NHead: 12, NEmbd: 768, NPositions: 1024,
	VocabSize: 50257, LayerNorm: 1e-5, Activation: "gelu_new"}

// SmolLM2 is SmolLM2-135M's shape (its config.json: 30 layers, 9 query
// heads sharing 3 key/value heads of 64, hidden 576, SwiGLU of 1536, tied
// embeddings of 49152 tokens) with its matrices in BF16, kept 16-bit on the
// device as a BF16 checkpoint loads (135M weights).
var SmolLM2 = model.Config{ModelType: "llama", NLayer: 30, NHead: 9, NKVHead: 3, HeadDim: 64, NEmbd: 576, Intermediate: 1536,
	NPositions: 8192, VocabSize: 49152, LayerNorm: 1e-5, Activation: "silu", RopeTheta: 100000, Weights: tensor.BF16}

// Shapes are the benchmarked models by name (the -shapes flag of
// tests/bench).
var Shapes = map[string]model.Config{"gpt2-small": GPT2Small, "smollm2-135m": SmolLM2}

// The benchmarked batch and prefix: B sequences of T tokens after P prefix
// positions, every position a target.
const B, T, P = 4, 128, 10

// The benchmarked generation: greedy continuation, with the key/value
// cache, of a GenPrompt-token prompt after the tuned prefix, GenTokens new
// tokens. torch_step.py generates the same.
const GenPrompt, GenTokens = 16, 32

// The optimiser settings of the benchmark, also used by torch_step.py.
const (
	LR          = 1e-3
	WeightDecay = 0.01
	Clip        = 1.0
)

// Options say what Run measures.
type Options struct {
	Config  model.Config
	B, T, P int
	Warmup  int // untimed steps first (V8 tiers up, the Go heap settles)
	Steps   int // timed steps
	// Generate is how many new tokens to generate after the steps (0:
	// none), timed one-token step by one-token step.
	Generate int
}

// Defaults are the options of `make bench` for the model shape named
// (a key of Shapes) with the given step and new-token counts.
func Defaults(shape string, warmup, steps, generate int) (Options, error) {
	c, ok := Shapes[shape]
	if !ok {
		return Options{}, fmt.Errorf("step: no model shape %q: the shapes are gpt2-small and smollm2-135m", shape)
	}
	return Options{Config: c, B: B, T: T, P: P, Warmup: warmup, Steps: steps, Generate: generate}, nil
}

// Result is what Run measured.
type Result struct {
	Device       string    `json:"device"`
	Steps        int       `json:"steps"`
	StepSeconds  []float64 `json:"step_seconds"`
	TokensPerSec float64   `json:"tokens_per_s"`      // B*T tokens per step over the timed steps
	BestPerSec   float64   `json:"best_tokens_per_s"` // of the fastest timed step
	GFLOPS       float64   `json:"gflops"`            // tune.StepFLOPs per second over the timed steps
	Loss         float64   `json:"loss"`              // of the last step (about ln V for random weights)
	SetupSeconds float64   `json:"setup_s"`           // model.New, InitRandom, prefix and trainer
	EstimateMiB  float64   `json:"estimate_mib"`      // tune.EstimateMemory: the arena the run needs
	Ops          []Op      `json:"ops"`               // per-op time of an average timed step
	// GenPerSec is generation speed: the one-token steps after the first
	// new token (whose pass also reads the prompt) per second.
	GenPerSec float64 `json:"gen_tokens_per_s,omitempty"`
}

// Op is the time one kind of op takes in a timed step.
type Op struct {
	Name    string  `json:"op"`
	Calls   int     `json:"calls_per_step"`
	Seconds float64 `json:"s_per_step"`
	Share   float64 `json:"share"` // of the step's wall time
}

// Run builds a model of o.Config with random weights and a random prefix
// on d and times prefix-tuning steps (forward, backward to the prefix,
// AdamW with clipping) on one fixed batch of token ids spread over the
// vocabulary. Every op of the timed steps is timed through Profile.
func Run(d tensor.Device, o Options) (Result, error) {
	if o.Steps < 1 || o.Warmup < 0 {
		return Result{}, fmt.Errorf("step: %d warm-up and %d timed steps; time at least one", o.Warmup, o.Steps)
	}
	start := time.Now()
	prof := NewProfile(d)
	m, err := model.New(prof, o.Config)
	if err != nil {
		return Result{}, err
	}
	m.InitRandom(1)
	p := prefix.New(m, o.P, 0)
	p.InitRandom(m, 1)
	tr := train.New(m, p, train.Options{LR: LR, Schedule: train.Constant, Steps: o.Warmup + o.Steps,
		WeightDecay: WeightDecay, Clip: Clip}, model.Shape{B: o.B, T: o.T})
	batch := Batch(o.Config.VocabSize, o.B, o.T)
	r := Result{Device: d.Name(), Steps: o.Steps, SetupSeconds: time.Since(start).Seconds(),
		EstimateMiB: float64(tune.EstimateMemory(o.Config, 0, model.Shape{B: o.B, T: o.T, P: o.P}).Total()) / (1 << 20)}

	for i := range o.Warmup + o.Steps {
		timed := i >= o.Warmup
		prof.Enable(timed)
		t0 := time.Now()
		s, err := tr.TrainStep(batch)
		if err != nil {
			return Result{}, err
		}
		if math.IsNaN(s.Loss) || math.IsInf(s.Loss, 0) || s.Recovered {
			return Result{}, fmt.Errorf("step: step %d has loss %v (recovered %v): the device computes wrong results", s.Step, s.Loss, s.Recovered)
		}
		if timed {
			r.StepSeconds = append(r.StepSeconds, time.Since(t0).Seconds())
		}
		r.Loss = s.Loss
	}
	prof.Enable(false)

	total := 0.0
	for _, s := range r.StepSeconds {
		total += s
	}
	tokens := float64(o.B * o.T)
	r.TokensPerSec = tokens * float64(o.Steps) / total
	r.BestPerSec = tokens / slices.Min(r.StepSeconds)
	r.GFLOPS = tune.StepFLOPs(o.Config, o.P, slices.Repeat([]int{o.T}, o.B), o.B*o.T) * float64(o.Steps) / total / 1e9
	r.Ops = prof.Ops(o.Steps, total)
	if o.Generate > 1 {
		if r.GenPerSec, err = generate(m, p.Out, o.Generate); err != nil {
			return Result{}, err
		}
	}
	return r, nil
}

// generate times greedy generation of n tokens after pre and the prompt
// genPrompt(V), after an untimed run of a few tokens, and returns the
// one-token steps after the first new token per second.
func generate(m *model.Model, pre model.Prefix, n int) (float64, error) {
	prompt := genPrompt(m.Config.VocabSize)
	if _, err := m.Generate(pre, prompt, 4, -1, model.Sampling{}, nil); err != nil {
		return 0, err
	}
	var first, last time.Time
	emit := func(int32) {
		if last = time.Now(); first.IsZero() {
			first = last
		}
	}
	out, err := m.Generate(pre, prompt, n, -1, model.Sampling{}, emit)
	if err != nil {
		return 0, err
	}
	if len(out) != n {
		return 0, fmt.Errorf("step: generated %d tokens of %d", len(out), n)
	}
	return float64(n-1) / last.Sub(first).Seconds(), nil
}

// genPrompt is the generation benchmark's prompt: GenPrompt token ids
// spread over the vocabulary as Batch spreads them. torch_step.py uses the
// same.
func genPrompt(V int) []int32 {
	ids := make([]int32, GenPrompt)
	for i := range ids {
		ids[i] = int32((i + 1) * 7919 % V)
	}
	return ids
}

// Batch is the benchmark's batch: token ids and next-token targets spread
// over the vocabulary by a fixed stride, every position real. torch_step.py
// builds the same one.
func Batch(V, B, T int) model.Batch {
	b := model.Batch{B: B, T: T, Tokens: make([]int32, B*T), Targets: make([]int32, B*T), Valid: make([]float32, B*T)}
	for i := range b.Tokens {
		b.Tokens[i] = int32(i * 7919 % V)
		b.Targets[i] = int32((i + 1) * 7919 % V)
		b.Valid[i] = 1
	}
	return b
}
