package golden

import (
	"path/filepath"
	"testing"

	"prefixtune/core/adapter"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
	"prefixtune/core/train"
	"prefixtune/tests/reference/llama"
	"prefixtune/wasm/kernels"
)

// devices are every device the golden tests run on.
func devices() map[string]func(t *testing.T) tensor.Device {
	return map[string]func(t *testing.T) tensor.Device{
		"cpu":      func(*testing.T) tensor.Device { return tensor.NewCPU() },
		"fast-1":   func(*testing.T) tensor.Device { return tensor.NewFast(1) },
		"fast-3":   func(*testing.T) tensor.Device { return tensor.NewFast(3) },
		"wazero-1": func(t *testing.T) tensor.Device { return wazero(t, 1) },
		"wazero-2": func(t *testing.T) tensor.Device { return wazero(t, 2) },
	}
}

// wazero is the SIMD128 kernel module run natively by wazero.
func wazero(t *testing.T, threads int) tensor.Device {
	d, err := kernels.NewWazero(threads)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestGPT2(t *testing.T) {
	f := load(t, gpt2Dir)
	for name, newDev := range devices() {
		t.Run(name, func(t *testing.T) {
			f.t = t
			m, err := model.Load(newDev(t), filepath.Join(f.dir, "model"))
			if err != nil {
				t.Fatal(err)
			}
			t.Run("base", func(t *testing.T) { checkForward(t, f, m, nil, "base") })
			t.Run("prefix", func(t *testing.T) { checkForward(t, f, m, initPrefix(t, f, m), "prefix") })
			t.Run("train", func(t *testing.T) { checkTrain(t, f, m, f.Settings.Clip, "train") })
			t.Run("train-clipped", func(t *testing.T) { checkTrain(t, f, m, f.Settings.ClipTight, "train_clip") })
			t.Run("mlp", func(t *testing.T) { checkMLP(t, f, m) })
			t.Run("generate", func(t *testing.T) { checkGenerate(t, f, m) })
		})
	}
}

// TestLlama runs the same checks on every Llama fixture of
// tests/reference/llama: grouped and multi-query attention, tied and
// untied heads, linear and llama3 rope scaling, F32, F16 and BF16 weights.
func TestLlama(t *testing.T) {
	dtypes := map[string]tensor.DType{"gqa": tensor.F32, "mqa": tensor.F16, "llama3": tensor.BF16}
	for _, cfg := range llama.Configs {
		f := load(t, llama.Set(cfg).Path())
		for name, newDev := range devices() {
			t.Run(cfg+"/"+name, func(t *testing.T) {
				f.t = t
				m, err := model.Load(newDev(t), filepath.Join(f.dir, "model"))
				if err != nil {
					t.Fatal(err)
				}
				if m.Config.Weights != dtypes[cfg] {
					t.Errorf("the weights are %v on the device, the file's %v", m.Config.Weights, dtypes[cfg])
				}
				t.Run("base", func(t *testing.T) { checkForward(t, f, m, nil, "base") })
				t.Run("prefix", func(t *testing.T) { checkForward(t, f, m, initPrefix(t, f, m), "prefix") })
				t.Run("train", func(t *testing.T) { checkTrain(t, f, m, f.Settings.Clip, "train") })
				t.Run("mlp", func(t *testing.T) { checkMLP(t, f, m) })
				t.Run("generate", func(t *testing.T) { checkGenerate(t, f, m) })
			})
		}
	}
}

// initPrefix loads the fixture's initial adapter as a direct prefix.
func initPrefix(t *testing.T, f *fixture, m *model.Model) *prefix.Prefix {
	t.Helper()
	cfg, rows, err := adapter.Read(filepath.Join(f.dir, "init_adapter"))
	if err != nil {
		t.Fatal(err)
	}
	p := prefix.New(m, cfg.NumVirtualTokens, 0)
	if err := p.InitRows(m, rows); err != nil {
		t.Fatal(err)
	}
	return p
}

// realLogits keeps the logits [B,T,V] at positions that are not padding.
func realLogits(logits []float32, b model.Batch, V int) []float32 {
	var out []float32
	for i, v := range b.Valid {
		if v != 0 {
			out = append(out, logits[i*V:(i+1)*V]...)
		}
	}
	return out
}

// checkForward compares logits, loss and (with a prefix) its gradient on batch 0.
func checkForward(t *testing.T, f *fixture, m *model.Model, p *prefix.Prefix, key string) {
	if p == nil {
		p = prefix.New(m, 0, 0)
	}
	b := f.Batches[0].batch()
	for i, v := range b.Valid { // logits at every real token, not only at targets
		if v != 0 {
			b.Outputs = append(b.Outputs, i)
		}
	}
	tr := train.New(m, p, train.Options{}, model.Shape{B: b.B, T: b.T})
	V := m.Config.VocabSize
	sum, n, err := tr.Loss(b)
	if err != nil {
		t.Fatal(err)
	}
	nearScalar(t, key+".loss", sum/float64(n), f.float(key+".loss"))
	logits := make([]float32, len(b.Outputs)*V) // [Nh,V]
	m.Dev.Download(logits, tr.Logits().Slice(0, len(logits)))
	near(t, key+".logits", logits, realLogits(f.tensor(key+".logits"), b, V))
	if p.P == 0 {
		return
	}
	if _, _, err := tr.Gradients(b); err != nil {
		t.Fatal(err)
	}
	grad := make([]float32, p.Grads.Len)
	m.Dev.Download(grad, p.Grads)
	near(t, key+".grad", grad, f.tensor(key+".grad"))
}

// steps runs the fixture's ten steps and compares them with run r.
func steps(t *testing.T, f *fixture, tr *train.Trainer, r run) {
	for s := 0; s < f.Settings.Steps; s++ {
		res, err := tr.TrainStep(f.Batches[s%len(f.Batches)].batch())
		if err != nil {
			t.Fatal(err)
		}
		nearScalar(t, "loss", res.Loss, r.Losses[s])
		nearScalar(t, "lr", res.LR, r.LRs[s])
		nearScalar(t, "grad norm", res.GradNorm, r.GradNorms[s])
		if res.Tokens != r.NTokens[s] {
			t.Errorf("step %d: %d target tokens, PyTorch %d", s+1, res.Tokens, r.NTokens[s])
		}
	}
}

func options(f *fixture, lr, clip float64) train.Options {
	return train.Options{LR: lr, Schedule: train.Linear, Warmup: f.Settings.Warmup, Steps: f.Settings.Steps,
		WeightDecay: f.Settings.WeightDecay, Clip: clip}
}

func checkTrain(t *testing.T, f *fixture, m *model.Model, clip float64, key string) {
	p := initPrefix(t, f, m)
	tr := train.New(m, p, options(f, f.Settings.LR, clip), model.Shape{B: 2, T: 16})
	steps(t, f, tr, f.run(key))
	near(t, key+".final", p.Rows(m.Dev), f.tensor(key+".final"))
}

func checkMLP(t *testing.T, f *fixture, m *model.Model) {
	p := prefix.New(m, f.Settings.P, f.Settings.E)
	names := []string{"embedding", "w1", "b1", "w2", "b2"}
	for i, tt := range p.MLP() {
		m.Dev.Upload(tt, f.tensor("mlp."+names[i]))
	}
	near(t, "mlp.prompt", p.Rows(m.Dev), f.tensor("mlp.prompt"))
	tr := train.New(m, p, options(f, f.Settings.MLPLR, f.Settings.Clip), model.Shape{B: 2, T: 16})
	loss, _, err := tr.Gradients(f.Batches[0].batch())
	if err != nil {
		t.Fatal(err)
	}
	nearScalar(t, "mlp.loss", loss, f.float("mlp.loss"))
	for i, g := range p.MLPGrads() {
		got := make([]float32, g.Len)
		m.Dev.Download(got, g)
		near(t, "mlp.grad."+names[i], got, f.tensor("mlp.grad."+names[i]))
	}
	steps(t, f, tr, f.run("mlp"))
	near(t, "mlp.final.prompt", p.Rows(m.Dev), f.tensor("mlp.final.prompt"))
}

func checkGenerate(t *testing.T, f *fixture, m *model.Model) {
	var prompt, want, wantBase []int32
	f.get("generate.prompt_ids", &prompt)
	f.get("generate.ids", &want)
	f.get("generate.base_ids", &wantBase)
	for _, c := range []struct {
		name string
		p    *prefix.Prefix
		want []int32
	}{{"prefix", initPrefix(t, f, m), want}, {"base", prefix.New(m, 0, 0), wantBase}} {
		got, err := m.Generate(c.p.Out, prompt, f.Settings.NewTokens, -1, model.Sampling{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: generated %v, PyTorch %v", c.name, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s: generated %v, PyTorch %v", c.name, got, c.want)
			}
		}
	}
}
