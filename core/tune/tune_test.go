package tune

import (
	"encoding/json"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
	"prefixtune/core/train"
	"prefixtune/tests/reference/fixture"
	"prefixtune/tests/reference/gpt2"
	"prefixtune/tests/reference/llama"
)

// ref holds the PyTorch fixtures of tests/reference/gpt2.
var ref = string(gpt2.Fixtures)

// loadRef loads the reference model, tokenizer and data on d.
func loadRef(t *testing.T, d tensor.Device) (*model.Model, *tokenizer.Tokenizer, []data.Example) {
	t.Helper()
	m, err := model.Load(d, filepath.Join(ref, "model"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(filepath.Join(ref, "model"))
	if err != nil {
		t.Fatal(err)
	}
	exs, err := data.Read(filepath.Join(ref, "data.jsonl"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m, tok, exs
}

// fixtureOptions are the settings of the fixture's training run (and of
// cmd/prefixtune's TestTrainMatchesPyTorch).
var fixtureOptions = Options{PrefixLen: 5, LR: 0.01, Schedule: train.Linear, Warmup: 2, Steps: 10, BatchSize: 2,
	WeightDecay: 0.01, Clip: 1}

func TestRunMatchesPyTorch(t *testing.T) {
	m, tok, exs := loadRef(t, tensor.NewFast(1))
	T, err := SeqLen(m.Config, 16, fixtureOptions.PrefixLen)
	if err != nil {
		t.Fatal(err)
	}
	cfg, rows, err := adapter.Read(filepath.Join(ref, "init_adapter"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPrefix(m, fixtureOptions, Init{Adapter: &cfg, Rows: rows}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(m, p, Sequences(exs, tok, T), nil, int32(tok.EOS()), fixtureOptions)
	if err != nil {
		t.Fatal(err)
	}
	var losses, lrs []float64
	var tokens []int
	gpt2.Fixtures.Expected(t, "train.losses", &losses)
	gpt2.Fixtures.Expected(t, "train.lrs", &lrs)
	gpt2.Fixtures.Expected(t, "train.n_tokens", &tokens)
	for i := 0; !r.Done(); i++ {
		s, err := r.Step()
		if err != nil {
			t.Fatal(err)
		}
		if s.Step != i+1 || !fixture.Near(s.Loss, losses[i]) || !fixture.Near(s.LR, lrs[i]) || s.Tokens != tokens[i] || s.ValLoss != nil {
			t.Errorf("step %+v, PyTorch loss %.7g lr %g tokens %d", s, losses[i], lrs[i], tokens[i])
		}
	}
	want := gpt2.Fixtures.Tensor(t, "train.final")
	got := p.Rows(m.Dev)
	for i := range want {
		if !fixture.Near(float64(got[i]), float64(want[i])) {
			t.Fatalf("prefix value %d = %g, PyTorch %g", i, got[i], want[i])
		}
	}
}

// TestResumeIsExact stops a shuffled, validated run with a projection at
// step 4, restores it into a fresh prefix through checkpoint bytes, and
// checks that it ends exactly where an uninterrupted run ends.
func TestResumeIsExact(t *testing.T) {
	o := Options{PrefixLen: 3, Projection: 8, LR: 0.01, Schedule: train.Cosine, Warmup: 1, Epochs: 3, BatchSize: 2,
		Clip: 1, Seed: 7, Shuffle: true}
	m, tok, exs := loadRef(t, tensor.NewFast(2))
	trainSet, valSet, err := data.Split(exs, 0.34, o.Seed)
	if err != nil {
		t.Fatal(err)
	}
	T, _ := SeqLen(m.Config, 0, o.PrefixLen)
	seqs, val := Sequences(trainSet, tok, T), Sequences(valSet, tok, T)
	start := func(in Init) *Run {
		p, err := NewPrefix(m, o, in, o.Seed)
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(m, p, seqs, val, int32(tok.EOS()), o)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	steps := func(r *Run, n int) []Step {
		var out []Step
		for i := 0; i < n && !r.Done(); i++ {
			s, err := r.Step()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	whole := start(Init{Text: []int32{1, 2, 3}})
	if whole.Steps != 3*2 {
		t.Fatalf("%d steps, want 3 epochs of 2", whole.Steps)
	}
	want := steps(whole, 100)
	if want[1].ValLoss == nil || want[2].ValLoss != nil || want[5].ValLoss == nil {
		t.Errorf("validation after steps %v, want after every epoch of 2 steps", want)
	}

	first := start(Init{Text: []int32{1, 2, 3}})
	got := steps(first, 4)
	b, err := first.Trainer.Checkpoint(map[string]string{"k": "v"}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	c, err := train.DecodeCheckpoint(b)
	if err != nil {
		t.Fatal(err)
	}
	second := start(Init{})
	if err := second.Trainer.Restore(c); err != nil {
		t.Fatal(err)
	}
	got = append(got, steps(second, 100)...)
	for i := range want {
		if got[i].Loss != want[i].Loss || got[i].LR != want[i].LR || (got[i].ValLoss == nil) != (want[i].ValLoss == nil) {
			t.Errorf("step %d: resumed %+v, uninterrupted %+v", i+1, got[i], want[i])
		}
	}
	a, z := whole.Trainer.Prefix.Rows(m.Dev), second.Trainer.Prefix.Rows(m.Dev)
	for i := range a {
		if a[i] != z[i] {
			t.Fatalf("prefix value %d: resumed %g, uninterrupted %g", i, z[i], a[i])
		}
	}
}

func TestStepErrors(t *testing.T) {
	m, tok, exs := loadRef(t, tensor.NewFast(1))
	// A sequence length of 4 cuts off every completion.
	o := fixtureOptions
	p, err := NewPrefix(m, o, Init{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(m, p, Sequences(exs, tok, 4), nil, int32(tok.EOS()), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Step(); err == nil || errors.Is(err, ErrDiverged) {
		t.Errorf("a batch without targets: %v", err)
	}
	o.LR = 1e30
	o.Clip = 0
	r, err = New(m, p, Sequences(exs, tok, 16), nil, int32(tok.EOS()), o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10 && err == nil; i++ {
		_, err = r.Step()
	}
	if !errors.Is(err, ErrDiverged) {
		t.Errorf("a learning rate of 1e30: %v, want a diverged error", err)
	}
}

func TestOptionsAndSeqLen(t *testing.T) {
	good := fixtureOptions
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, mod := range []func(*Options){
		func(o *Options) { o.PrefixLen = 0 },
		func(o *Options) { o.BatchSize = 0 },
		func(o *Options) { o.Steps, o.Epochs = 0, 0 },
		func(o *Options) { o.LR = math.NaN() },
		func(o *Options) { o.Schedule = "sawtooth" },
		func(o *Options) { o.Projection = -1 },
	} {
		o := good
		mod(&o)
		if o.Validate() == nil {
			t.Errorf("%+v passed validation", o)
		}
	}
	c := model.Config{NPositions: 64}
	for _, x := range []struct{ want, P, T int }{{0, 5, 59}, {0, 0, 64}, {16, 5, 16}, {59, 5, 59}, {60, 5, -1}, {0, 64, -1}} {
		T, err := SeqLen(c, x.want, x.P)
		if (err != nil) != (x.T < 0) || err == nil && T != x.T {
			t.Errorf("SeqLen(%d, P %d) = %d, %v; want %d", x.want, x.P, T, err, x.T)
		}
	}
	if c := (model.Config{NPositions: 1024}); func() int { T, _ := SeqLen(c, 0, 10); return T }() != DefaultSeqLen {
		t.Errorf("the default sequence length is not %d", DefaultSeqLen)
	}
}

// bytesEnc encodes text as its bytes; EOS is 256.
type bytesEnc struct{}

func (bytesEnc) Encode(s string) []int {
	ids := make([]int, len(s))
	for i := range s {
		ids[i] = int(s[i])
	}
	return ids
}
func (bytesEnc) EOS() int { return 256 }

func TestDescribe(t *testing.T) {
	exs := []data.Example{
		{Prompt: "abc", Completion: "de"},        // 6 tokens, 3 targets (d e EOS)
		{Prompt: "abcdefghij", Completion: "k"},  // 12: cut at 10, no target left
		{Completion: "0123456789012345678"},      // 20: cut at 10, 9 targets
		{Prompt: "ab", Completion: "cdefghijkl"}, // 13: cut at 10, 8 targets
	}
	s := Describe(exs, bytesEnc{}, 10)
	want := Stats{Examples: 4, SeqLen: 10, Tokens: 51, TargetTokens: 3 + 0 + 9 + 8, MinLen: 6, MaxLen: 20, MeanLen: 12.75,
		Histogram: []Bin{{8, 1}, {16, 2}, {32, 1}}, Truncated: 3, NoTargets: 1}
	if b1, b2 := jsonOf(s), jsonOf(want); b1 != b2 {
		t.Errorf("Describe:\n%s\nwant\n%s", b1, b2)
	}
	// TargetTokens agrees with the sequences training uses.
	n := 0
	for _, q := range Sequences(exs, bytesEnc{}, 10) {
		for _, t := range q.Targets {
			if t >= 0 {
				n++
			}
		}
	}
	if n != s.TargetTokens {
		t.Errorf("Describe counts %d targets, Sequences has %d", s.TargetTokens, n)
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// counting counts the floats allocated on a device.
type counting struct {
	tensor.Device
	floats int
}

func (c *counting) Alloc(n int) tensor.Tensor { c.floats += n; return c.Device.Alloc(n) }

func (c *counting) Alloc16(n int, dt tensor.DType) tensor.Tensor {
	c.floats += (n + 1) / 2
	return c.Device.Alloc16(n, dt)
}

// TestEstimateMemory compares the estimate with what a run allocates, on
// the GPT-2 fixture and on a Llama fixture with BF16 weights.
func TestEstimateMemory(t *testing.T) {
	for _, x := range []struct {
		model string
		E     int
	}{{"", 0}, {"", 16}, {llama.Set("llama3").Path("model"), 0}, {llama.Set("llama3").Path("model"), 16}} {
		E := x.E
		d := &counting{Device: tensor.NewCPU()}
		m, tok, exs := loadRef(t, d)
		if x.model != "" {
			var err error
			d.floats = 0
			if m, err = model.Load(d, x.model); err != nil {
				t.Fatal(err)
			}
			if m.Config.Weights != tensor.BF16 {
				t.Fatalf("the llama3 fixture's weights are %v on the device", m.Config.Weights)
			}
		}
		o := fixtureOptions
		o.Projection = E
		p, err := NewPrefix(m, o, Init{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		seqs := Sequences(exs, tok, 16)
		if _, err := New(m, p, seqs, nil, int32(tok.EOS()), o); err != nil {
			t.Fatal(err)
		}
		mem := EstimateMemory(m.Config, E, o.Shape(seqs, nil))
		if mem.Total() != 4*int64(d.floats) {
			t.Errorf("E %d: estimated %+v = %d bytes, allocated %d", E, mem, mem.Total(), 4*d.floats)
		}
	}
	if f := StepFLOPs(model.Config{ModelType: "gpt2", NEmbd: 768, NHead: 12, NLayer: 12, VocabSize: 50257}, 10, []int{128, 128, 128, 128}, 512); f < 2.5e11 || f > 3e11 {
		t.Errorf("a GPT-2 small step at B=4, T=128 without weight gradients is about 4 x 124M x 512 flops, not %g", f)
	}
	// In file order, batches of 2: sequences 0-1 (3 and 5 tokens, 1+3
	// targets) and 2-3 (2 and 6 tokens, 0+1 targets); zeros are targets.
	c := model.Config{ModelType: "gpt2", NEmbd: 8, NHead: 2, NLayer: 2, VocabSize: 11}
	seq := func(n int, targets ...int32) data.Sequence {
		return data.Sequence{Tokens: make([]int32, n), Targets: append(targets, make([]int32, n-len(targets))...)}
	}
	four := []data.Sequence{seq(3, -1, -1, 5), seq(5, -1, -1), seq(2, -1, -1), seq(6, -1, -1, -1, -1, -1)}
	want := (StepFLOPs(c, 3, []int{3, 5}, 1+3) + StepFLOPs(c, 3, []int{2, 6}, 0+1)) / 2
	if got := MeanStepFLOPs(c, Options{PrefixLen: 3, BatchSize: 2}, four); got != want {
		t.Errorf("MeanStepFLOPs = %g, want %g", got, want)
	}
	// Padding costs nothing: two sequences of 4 and 6 are one of 10 split.
	if a, b := StepFLOPs(c, 0, []int{4, 6}, 2), StepFLOPs(c, 0, []int{10}, 2); a >= b {
		t.Errorf("StepFLOPs: %g for sequences of 4 and 6, %g for one of 10: attention over the pair should cost less", a, b)
	}
	m, tok, exs := loadRef(t, tensor.NewCPU())
	seqs := Sequences(exs, tok, 16)
	if sec, err := MeasureStep(m, fixtureOptions, seqs, int32(tok.EOS())); err != nil || !(sec > 0 && sec < math.Inf(1)) {
		t.Errorf("MeasureStep = %g, %v", sec, err)
	}
	if _, err := MeasureStep(m, fixtureOptions, nil, int32(tok.EOS())); err == nil {
		t.Error("MeasureStep without data: no error")
	}
}

// TestShape: the arena's rows are the most tokens any batch can hold, and
// its output rows the most targets (the sums of the B largest counts of
// the training or the validation set); a batch with more is refused, not
// written past the arena.
func TestShape(t *testing.T) {
	seq := func(n, targets int) data.Sequence {
		s := data.Sequence{Tokens: make([]int32, n), Targets: make([]int32, n)}
		for i := range s.Targets[:n-targets] {
			s.Targets[i] = -1
		}
		return s
	}
	train := []data.Sequence{seq(9, 2), seq(4, 4), seq(12, 3), seq(3, 1)}
	val := []data.Sequence{seq(6, 6), seq(5, 2), seq(2, 1)}
	s := Options{BatchSize: 2, PrefixLen: 3}.Shape(train, val)
	// Tokens: 12+9 of training; targets: 6+2 of validation (training: 4+3).
	if want := (model.Shape{B: 2, T: 12, P: 3, N: 21, H: 8}); s != want {
		t.Errorf("Shape = %+v, want %+v", s, want)
	}
	m, _, _ := loadRef(t, tensor.NewCPU())
	b := model.Batch{B: 2, T: 4, Tokens: make([]int32, 8), Targets: []int32{1, 2, -1, -1, 3, 4, -1, -1}, Valid: []float32{1, 1, 1, 1, 1, 1, 1, 0}}
	for _, c := range []struct {
		shape model.Shape
		err   string
	}{{model.Shape{B: 2, T: 4, H: 3}, "4 output positions (targets), more than the 3"}, {model.Shape{B: 2, T: 4, N: 6}, "packs to 7 rows (tokens), more than the 6"}} {
		a := model.NewActs(m.Dev, m.Config, c.shape)
		if _, _, err := m.Forward(a, model.Prefix{}, b); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("arena %+v: %v, want %q", c.shape, err, c.err)
		}
	}
	a := model.NewActs(m.Dev, m.Config, model.Shape{B: 2, T: 4, N: 7, H: 4})
	if _, _, err := m.Forward(a, model.Prefix{}, b); err != nil {
		t.Errorf("the batch in an arena of its size: %v", err)
	}
}

func TestTotalStepsAndChecks(t *testing.T) {
	if n := (Options{Steps: 10, Epochs: 3, BatchSize: 2}).TotalSteps(5); n != 10 {
		t.Errorf("explicit steps: %d", n)
	}
	if n := (Options{Epochs: 3, BatchSize: 2}).TotalSteps(5); n != 9 {
		t.Errorf("3 epochs of 5 examples in batches of 2: %d steps, want 9", n)
	}
	m, tok, _ := loadRef(t, tensor.NewCPU())
	if err := CheckTokenizer(m.Config, tok); err != nil {
		t.Error(err)
	}
	small := m.Config
	small.VocabSize = 100
	if CheckTokenizer(small, tok) == nil {
		t.Errorf("a tokenizer larger than the model's vocabulary passed")
	}
	cfg := AdapterConfig(m.Config, 5, "base")
	if err := CheckAdapter(m.Config, cfg); err != nil || cfg.NumVirtualTokens != 5 || cfg.BaseModelNameOrPath != "base" {
		t.Errorf("AdapterConfig %+v: %v", cfg, err)
	}
	cfg.NumLayers++
	if CheckAdapter(m.Config, cfg) == nil {
		t.Errorf("an adapter for another depth passed")
	}
	// PEFT's adapter of a grouped-query model: token_dim HS*KVH, KVH heads.
	gqa, rows, err := adapter.Read(llama.Set("gqa").Path("init_adapter"))
	if err != nil {
		t.Fatal(err)
	}
	lm, err := model.Load(tensor.NewCPU(), llama.Set("gqa").Path("model"))
	if err != nil {
		t.Fatal(err)
	}
	ours := AdapterConfig(lm.Config, gqa.NumVirtualTokens, "model")
	if err := CheckAdapter(lm.Config, gqa); err != nil || ours.TokenDim != gqa.TokenDim || ours.NumAttentionHeads != gqa.NumAttentionHeads ||
		ours.EncoderHiddenSize != gqa.EncoderHiddenSize || len(rows) != gqa.NumVirtualTokens*lm.Config.PrefixWidth() {
		t.Errorf("PEFT's adapter %+v for the gqa fixture: ours %+v, %v", gqa, ours, err)
	}
}

// TestEarlyStoppingRestoresBest trains on three rows and validates on the
// other three every step with a high learning rate, so the prefix overfits
// and validation gets worse after a while: the run must stop
// after Patience validations without a new best and end on the best prefix.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	m, tok, exs := loadRef(t, tensor.NewCPU())
	seqs := Sequences(exs, tok, 16)
	o := Options{PrefixLen: 5, LR: 0.3, Schedule: train.Constant, Steps: 60, BatchSize: 2, Seed: 3, Shuffle: true,
		ValEvery: 1, Patience: 3, RestoreBest: true}
	p, err := NewPrefix(m, o, Init{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(m, p, seqs[:3], seqs[3:], int32(tok.EOS()), o)
	if err != nil {
		t.Fatal(err)
	}
	var losses []float64
	for !r.Done() {
		st, err := r.Step()
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, *st.ValLoss)
	}
	best, bestLoss := r.Best()
	if !r.Stopped || len(losses) >= 60 || len(losses)-best != 3 {
		t.Fatalf("stopped %v after %d steps, best at step %d: want an early stop 3 validations after the best (losses %.3f)", r.Stopped, len(losses), best, losses)
	}
	for _, l := range losses {
		if l < bestLoss {
			t.Fatalf("best %.4f is not the lowest validation loss in %.4f", bestLoss, losses)
		}
	}
	if got := r.Finish(); got != best {
		t.Errorf("Finish ended on step %d, want the best step %d", got, best)
	}
	v, _, err := MeanLoss(r.Trainer.Loss, seqs[3:], 2, int32(tok.EOS()))
	if err != nil {
		t.Fatal(err)
	}
	if v != bestLoss {
		t.Errorf("after Finish the validation loss is %.6f, the best was %.6f", v, bestLoss)
	}
}

// TestMultiTask trains two prefixes of one model in one loop on two tasks
// (the fixture's rows about Aromi and about Cotto): each must beat the base
// model on its own task's validation loss, and the steps must alternate.
func TestMultiTask(t *testing.T) {
	m, tok, exs := loadRef(t, tensor.NewCPU())
	var aromi, cotto []data.Example
	for _, ex := range exs {
		if strings.Contains(ex.Prompt, "Aromi") {
			aromi = append(aromi, ex)
		} else {
			cotto = append(cotto, ex)
		}
	}
	o := Options{PrefixLen: 3, LR: 0.05, Schedule: train.Constant, Steps: 12, BatchSize: 2, Seed: 1, Shuffle: true}
	base := train.New(m, prefix.New(m, 0, 0), train.Options{}, model.Shape{B: 2, T: 16})
	var multi Multi
	var before []float64
	for i, task := range [][]data.Example{aromi, cotto} {
		seqs := Sequences(task, tok, 16)
		b, _, err := MeanLoss(base.Loss, seqs, 2, int32(tok.EOS()))
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, b)
		p, err := NewPrefix(m, o, Init{}, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		r, err := New(m, p, seqs, seqs, int32(tok.EOS()), o)
		if err != nil {
			t.Fatal(err)
		}
		multi.Runs = append(multi.Runs, r)
	}
	var order []int
	for !multi.Done() {
		task, _, err := multi.Step()
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, task)
	}
	if len(order) != 24 || order[0] != 0 || order[1] != 1 || order[2] != 0 {
		t.Errorf("task order %v, want 24 steps alternating", order)
	}
	for i, r := range multi.Runs {
		after, _, err := MeanLoss(r.Trainer.Loss, r.Val, 2, int32(tok.EOS()))
		if err != nil {
			t.Fatal(err)
		}
		if after >= before[i]-0.1 {
			t.Errorf("task %d: validation loss %.3f with its prefix, %.3f without", i+1, after, before[i])
		}
	}
}
