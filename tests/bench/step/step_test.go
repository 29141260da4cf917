package step

import (
	"math"
	"testing"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/train"
)

var tiny = model.Config{ModelType: "gpt2", NLayer: 2, NHead: 2, NEmbd: 32, NPositions: 64,
	VocabSize: 97, LayerNorm: 1e-5, Activation: "gelu_new"}

// The profiled run computes what the same steps on the bare device compute,
// and accounts for every layer's matmuls.
func TestRunMatchesBareDevice(t *testing.T) {
	o := Options{Config: tiny, B: 2, T: 8, P: 3, Warmup: 1, Steps: 2, Generate: 8}
	r, err := Run(tensor.NewCPU(), o)
	if err != nil {
		t.Fatal(err)
	}

	m, err := model.New(tensor.NewCPU(), tiny)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(1)
	p := prefix.New(m, o.P, 0)
	p.InitRandom(m, 1)
	tr := train.New(m, p, train.Options{LR: LR, Schedule: train.Constant, Steps: 3, WeightDecay: WeightDecay, Clip: Clip},
		model.Shape{B: o.B, T: o.T})
	var want float64
	for range 3 {
		s, err := tr.TrainStep(Batch(tiny.VocabSize, o.B, o.T))
		if err != nil {
			t.Fatal(err)
		}
		want = s.Loss
	}
	if r.Loss != want {
		t.Errorf("the profiled run's last loss is %v, the bare device's %v", r.Loss, want)
	}
	if math.Abs(r.Loss-math.Log(float64(tiny.VocabSize))) > 0.5 {
		t.Errorf("loss %v of random weights is far from ln V = %v", r.Loss, math.Log(float64(tiny.VocabSize)))
	}
	if len(r.StepSeconds) != 2 || r.TokensPerSec <= 0 || r.BestPerSec < r.TokensPerSec || r.GFLOPS <= 0 || r.GenPerSec <= 0 {
		t.Errorf("timings %+v", r)
	}

	calls, share := map[string]int{}, 0.0
	for _, op := range r.Ops {
		calls[op.Name] = op.Calls
		share += op.Share
	}
	for name, n := range map[string]int{"Matmul 16x32x96": 2, "MatmulBackward 16x32x96": 1, // none into layer 0, which the prefix does not reach "Matmul 16x32x97": 1,
		"Attention": 2, "AttentionBackward": 2, "AdamW": 1, "CrossEntropy": 1} {
		if calls[name] != n {
			t.Errorf("%s: %d calls per step, want %d (all: %v)", name, calls[name], n, calls)
		}
	}
	if share <= 0 || share > 1 {
		t.Errorf("the ops take %v of the steps' time", share)
	}
}

// Generation past the model's positions fails rather than timing less.
func TestRunGenerateTooLong(t *testing.T) {
	o := Options{Config: tiny, B: 1, T: 4, P: 3, Steps: 1, Generate: tiny.NPositions}
	if _, err := Run(tensor.NewCPU(), o); err == nil {
		t.Error("generating past the model's positions did not fail")
	}
}

func TestRunNeedsSteps(t *testing.T) {
	if _, err := Run(tensor.NewCPU(), Options{Config: tiny, B: 1, T: 4, P: 1}); err == nil {
		t.Error("Run with no timed step did not fail")
	}
}

func TestDefaults(t *testing.T) {
	o, err := Defaults("smollm2-135m", 1, 2, 8)
	if err != nil || o.Config.NKVHead != 3 || o.Config.Weights != tensor.BF16 || model.NumParams(o.Config) != 134515008 {
		t.Errorf("smollm2-135m: %+v, %v; want SmolLM2-135M's 134,515,008 BF16 weights", o, err)
	}
	if _, err := Defaults("gpt3", 1, 2, 8); err == nil {
		t.Error("an unknown shape gave options")
	}
}
