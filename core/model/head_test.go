package model

import (
	"strings"
	"testing"

	"prefixtune/core/tensor"
)

// TestOutputsChecked: output positions out of order, repeated or outside
// the batch are refused with an error, before anything runs.
func TestOutputsChecked(t *testing.T) {
	d := tensor.NewCPU()
	c := Config{ModelType: "gpt2", NLayer: 1, NHead: 2, NEmbd: 8, NPositions: 16, VocabSize: 11, LayerNorm: 1e-5, Activation: "gelu_new"}
	m, err := New(d, c)
	if err != nil {
		t.Fatal(err)
	}
	a := NewActs(d, c, Shape{B: 1, T: 4})
	for _, outputs := range [][]int{{2, 1}, {1, 1}, {-1}, {4}} {
		b := Batch{B: 1, T: 4, Tokens: make([]int32, 4), Targets: []int32{1, 2, -1, 3}, Valid: []float32{1, 1, 1, 1}, Outputs: outputs}
		if _, _, err := m.Forward(a, Prefix{}, b); err == nil || !strings.Contains(err.Error(), "not ascending positions") {
			t.Errorf("outputs %v: error %v, want one about the positions", outputs, err)
		}
	}
}

// TestRuns: the runs of consecutive positions cover the rows in order.
func TestRuns(t *testing.T) {
	var got [][3]int
	runs([]int{0, 1, 2, 5, 7, 8}, func(pos, at, n int) { got = append(got, [3]int{pos, at, n}) })
	want := [][3]int{{0, 0, 3}, {5, 3, 1}, {7, 4, 2}}
	if len(got) != len(want) {
		t.Fatalf("runs %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("runs %v, want %v", got, want)
		}
	}
}
