package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tensor"
)

var tiny = model.Config{ModelType: "gpt2", NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 32, VocabSize: 13, LayerNorm: 1e-5, Activation: "gelu_new"}

// repeating is a batch of a short repeating pattern, easy to learn.
func repeating(B, T int) model.Batch {
	b := model.Batch{B: B, T: T, Tokens: make([]int32, B*T), Targets: make([]int32, B*T), Valid: make([]float32, B*T)}
	for i := range b.Tokens {
		b.Tokens[i] = int32(i%T%5 + 1)
		b.Targets[i] = int32((i%T+1)%5 + 1)
		b.Valid[i] = 1
	}
	return b
}

func newTrainer(t *testing.T) (*Trainer, model.Batch) {
	m, err := model.New(tensor.NewCPU(), tiny)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(3)
	p := prefix.New(m, 4, 0)
	p.InitRandom(m, 4)
	b := repeating(2, 10)
	return New(m, p, Options{LR: 0.05, Schedule: Cosine, Warmup: 2, Steps: 12, Clip: 1}, model.Shape{B: 2, T: 10}), b
}

// TestResumeEqualsUninterrupted stops a run after 5 steps, writes a
// checkpoint, restores it into a fresh trainer, and must end where an
// uninterrupted run ends, bit for bit.
func TestResumeEqualsUninterrupted(t *testing.T) {
	full, b := newTrainer(t)
	for i := 0; i < 12; i++ {
		if _, err := full.TrainStep(b); err != nil {
			t.Fatal(err)
		}
	}
	first, _ := newTrainer(t)
	for i := 0; i < 5; i++ {
		first.TrainStep(b)
	}
	path := filepath.Join(t.TempDir(), "run.ckpt")
	if err := WriteCheckpoint(path, first.Checkpoint(map[string]string{"seed": "4"})); err != nil {
		t.Fatal(err)
	}
	c, err := ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Step != 5 || c.Meta["seed"] != "4" {
		t.Fatalf("checkpoint step %d meta %v", c.Step, c.Meta)
	}
	second, _ := newTrainer(t)
	if err := second.Restore(c); err != nil {
		t.Fatal(err)
	}
	for second.Step() < 12 {
		second.TrainStep(b)
	}
	want, got := full.Prefix.Rows(full.Model.Dev), second.Prefix.Rows(second.Model.Dev)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("resumed prefix differs at %d: %g, uninterrupted %g", i, got[i], want[i])
		}
	}
}

func TestCheckpointDamage(t *testing.T) {
	tr, _ := newTrainer(t)
	b, err := tr.Checkpoint(nil).Encode()
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-3] ^= 0x40
	if _, err := DecodeCheckpoint(b); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("a flipped bit gave %v, want a checksum error", err)
	}
	if _, err := DecodeCheckpoint(b[:len(b)/2]); err == nil {
		t.Error("a truncated checkpoint was accepted")
	}
	other := prefix.New(tr.Model, 2, 0)
	small := New(tr.Model, other, Options{}, model.Shape{B: 1, T: 4})
	if err := small.Restore(tr.Checkpoint(nil)); err == nil || !strings.Contains(err.Error(), "another model or prefix size") {
		t.Errorf("restoring into another prefix size gave %v", err)
	}
	// A failed write leaves the previous checkpoint in place.
	dir := t.TempDir()
	path := filepath.Join(dir, "run.ckpt")
	if err := WriteCheckpoint(path, tr.Checkpoint(nil)); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if os.Geteuid() != 0 { // root ignores directory permissions
		if err := WriteCheckpoint(path, tr.Checkpoint(nil)); err == nil {
			t.Error("writing into a read-only directory succeeded")
		}
	}
	if _, err := ReadCheckpoint(path); err != nil {
		t.Errorf("the previous checkpoint is damaged: %v", err)
	}
}

// TestPretrainLearns trains every weight of a tiny model on a repeating
// pattern: the loss must fall far below its starting value (ln 13 ~ 2.56).
func TestPretrainLearns(t *testing.T) {
	m, err := model.New(tensor.NewCPU(), tiny)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(1)
	b := repeating(2, 10)
	tr := NewPretrainer(m, Options{LR: 3e-2, Schedule: Cosine, Warmup: 5, Steps: 80, Clip: 1}, model.Shape{B: 2, T: 10})
	var first, last StepResult
	for i := 0; i < 80; i++ {
		r, err := tr.TrainStep(b)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = r
		}
		last = r
	}
	if first.Loss < 2 || last.Loss > 0.2 {
		t.Errorf("pretraining loss went from %.3f to %.3f; want from about 2.56 to below 0.2", first.Loss, last.Loss)
	}
}
