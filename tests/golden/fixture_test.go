package golden

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"prefixtune/core/model"
	"prefixtune/core/safetensors"
)

// gpt2Dir holds the fixtures made by tests/reference/gpt2/make_fixtures.py.
var gpt2Dir = filepath.Join("..", "reference", "gpt2")

// hfBatch is a batch as Hugging Face takes it.
type hfBatch struct {
	InputIDs      [][]int32 `json:"input_ids"`
	AttentionMask [][]int32 `json:"attention_mask"`
	Labels        [][]int32 `json:"labels"`
}

// run is one recorded training run.
type run struct {
	Losses    []float64 `json:"losses"`
	LRs       []float64 `json:"lrs"`
	NTokens   []int     `json:"n_tokens"`
	GradNorms []float64 `json:"grad_norms"`
}

type fixture struct {
	t        *testing.T
	dir      string // model/, init_adapter/, expected.json and expected.safetensors
	st       *safetensors.File
	Batches  []hfBatch
	Settings struct {
		P           int     `json:"prefix_len"`
		LR          float64 `json:"lr"`
		MLPLR       float64 `json:"mlp.lr"`
		E           int     `json:"mlp.hidden"`
		Steps       int     `json:"steps"`
		Warmup      int     `json:"warmup"`
		WeightDecay float64 `json:"weight_decay"`
		Clip        float64 `json:"clip"`
		ClipTight   float64 `json:"train_clip.clip"`
		EOS         int32   `json:"eos_id"`
		NewTokens   int     `json:"generate.new_tokens"`
	}
	raw map[string]json.RawMessage
}

func load(t *testing.T, dir string) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f.raw); err != nil {
		t.Fatal(err)
	}
	f.get("batches", &f.Batches)
	f.get("settings", &f.Settings)
	if f.st, err = safetensors.Open(filepath.Join(dir, "expected.safetensors")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	return f
}

// get decodes expected.json's key into v.
func (f *fixture) get(key string, v any) {
	f.t.Helper()
	if err := json.Unmarshal(f.raw[key], v); err != nil {
		f.t.Fatalf("expected.json %s: %v", key, err)
	}
}

func (f *fixture) float(key string) float64 {
	var x float64
	f.get(key, &x)
	return x
}

func (f *fixture) run(prefix string) run {
	var r run
	for key, dst := range map[string]any{".losses": &r.Losses, ".lrs": &r.LRs, ".n_tokens": &r.NTokens, ".grad_norms": &r.GradNorms} {
		f.get(prefix+key, dst)
	}
	return r
}

// tensor returns a tensor of expected.safetensors.
func (f *fixture) tensor(name string) []float32 {
	f.t.Helper()
	x, err := f.st.Float32(name)
	if err != nil {
		f.t.Fatal(err)
	}
	return x
}

// batch converts HF's (input_ids, attention_mask, labels) to the model's
// input: position t predicts labels[t+1].
func (b hfBatch) batch() model.Batch {
	B, T := len(b.InputIDs), len(b.InputIDs[0])
	mb := model.Batch{B: B, T: T, Tokens: make([]int32, B*T), Targets: make([]int32, B*T), Valid: make([]float32, B*T)}
	for i := 0; i < B; i++ {
		for t := 0; t < T; t++ {
			mb.Tokens[i*T+t] = b.InputIDs[i][t]
			mb.Valid[i*T+t] = float32(b.AttentionMask[i][t])
			mb.Targets[i*T+t] = -1
			if t+1 < T && b.Labels[i][t+1] != -100 {
				mb.Targets[i*T+t] = b.Labels[i][t+1]
			}
		}
	}
	return mb
}

// tol is the relative tolerance against PyTorch.
const tol = 1e-4

// near fails unless got and want agree: max|got-want| <= tol * max|want|.
func near(t *testing.T, name string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	var maxWant, maxErr float64
	for i := range want {
		maxWant = math.Max(maxWant, math.Abs(float64(want[i])))
		maxErr = math.Max(maxErr, math.Abs(float64(got[i]-want[i])))
	}
	if maxErr > tol*math.Max(1e-6, maxWant) {
		t.Errorf("%s: max error %.3g against PyTorch (max |want| %.3g)", name, maxErr, maxWant)
	}
}

// nearScalar fails unless |got-want| <= tol * max(1, |want|).
func nearScalar(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.7g, PyTorch %.7g", name, got, want)
	}
}
