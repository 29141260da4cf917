package train

import (
	"math"
	"testing"
)

// TestRecoversFromPlantedNaN puts a NaN into the prefix mid-run: the next
// step must be undone (the prefix back to its last good state, no NaN
// left), the learning rate halved, and training must go on to a finite
// end.
func TestRecoversFromPlantedNaN(t *testing.T) {
	tr, b := newTrainer(t)
	d := tr.Model.Dev
	for i := 0; i < 3; i++ {
		if _, err := tr.TrainStep(b); err != nil {
			t.Fatal(err)
		}
	}
	good := tr.Checkpoint(nil).Params
	poisoned := append([]float32(nil), good...)
	poisoned[7] = float32(math.NaN())
	d.Upload(tr.Prefix.Params, poisoned)
	r, err := tr.TrainStep(b)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Recovered || !math.IsNaN(r.Loss) {
		t.Fatalf("the poisoned step: %+v, want a recovered step with a NaN loss", r)
	}
	after := tr.Checkpoint(nil)
	for i := range good {
		if after.Params[i] != good[i] {
			t.Fatalf("parameter %d is %g after the recovery, the last good state had %g", i, after.Params[i], good[i])
		}
	}
	if after.LRScale != 0.5 {
		t.Errorf("learning-rate scale %g after one recovery, want 0.5", after.LRScale)
	}
	next, err := tr.TrainStep(b)
	if err != nil {
		t.Fatal(err)
	}
	if next.Recovered || !(next.Loss < 10) {
		t.Errorf("the step after the recovery: %+v", next)
	}
	t.Logf("recovered at step %d, the next step's loss %.4f (lr %.4g)", r.Step, next.Loss, next.LR)
}
