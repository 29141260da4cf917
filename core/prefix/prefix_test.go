package prefix

import (
	"strings"
	"testing"

	"prefixtune/core/model"
	"prefixtune/core/tensor"
)

var tiny = model.Config{ModelType: "gpt2", NLayer: 2, NHead: 2, NEmbd: 8, NPositions: 32, VocabSize: 13, LayerNorm: 1e-5, Activation: "gelu_new"}

// llamaTiny has grouped queries (prefix rows of 2 x 2 x 4 floats).
var llamaTiny = model.Config{ModelType: "llama", NLayer: 2, NHead: 4, NKVHead: 2, HeadDim: 2, NEmbd: 8, Intermediate: 12,
	NPositions: 32, VocabSize: 13, LayerNorm: 1e-5, Activation: "silu", RopeTheta: 10}

func newModel(t *testing.T) (*model.Model, *tensor.CPU) { return newModelOf(t, tiny) }

func newModelOf(t *testing.T, c model.Config) (*model.Model, *tensor.CPU) {
	d := tensor.NewCPU()
	m, err := model.New(d, c)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(2)
	return m, d
}

// TestInitFromText checks that a prefix taken from a text makes the model
// see exactly what it saw when the text was part of the input: the last
// token's logits after prefix(text[:P]) equal those of text[:P] + token.
// For Llama this holds because prefix keys are stored rotated and real
// tokens start at position P.
func TestInitFromText(t *testing.T) {
	for _, c := range []model.Config{tiny, llamaTiny} {
		t.Run(c.ModelType, func(t *testing.T) { initFromText(t, c) })
	}
}

func initFromText(t *testing.T, c model.Config) {
	m, d := newModelOf(t, c)
	text := []int32{3, 1, 4, 1, 5}
	const P = 4
	p := New(m, P, 0)
	if err := p.InitFromText(m, text, 0); err != nil {
		t.Fatal(err)
	}
	logits := func(pre model.Prefix, toks []int32) []float32 {
		n := len(toks)
		a := model.NewActs(d, m.Config, model.Shape{B: 1, T: n, P: pre.P})
		b := model.Batch{B: 1, T: n, Tokens: toks, Targets: make([]int32, n), Valid: make([]float32, n)}
		for i := range toks {
			b.Targets[i], b.Valid[i] = -1, 1
		}
		if _, _, err := m.Forward(a, pre, b); err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), d.F(a.Logits)[(n-1)*c.VocabSize:n*c.VocabSize]...)
	}
	want := logits(model.Prefix{}, text)
	got := logits(p.Out, text[P:])
	for i := range want {
		if d := got[i] - want[i]; d > 1e-5 || d < -1e-5 {
			t.Fatalf("logit %d: %g with the prefix, %g with the text", i, got[i], want[i])
		}
	}
}

func TestInitErrors(t *testing.T) {
	m, _ := newModel(t)
	if err := New(m, 3, 0).InitFromText(m, nil, 0); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty text: %v", err)
	}
	if err := New(m, 3, 0).InitRows(m, make([]float32, 5)); err == nil || !strings.Contains(err.Error(), "need 3 x 32") {
		t.Errorf("wrong row count: %v", err)
	}
	if err := New(m, 3, 16).InitRows(m, make([]float32, 3*tiny.PrefixWidth())); err == nil || !strings.Contains(err.Error(), "MLP") {
		t.Errorf("rows into an MLP prefix: %v", err)
	}
	lm, _ := newModelOf(t, llamaTiny)
	if err := New(lm, 3, 16).InitFromText(lm, []int32{1}, 0); err == nil || !strings.Contains(err.Error(), "grouped-query") {
		t.Errorf("text into the MLP of a grouped-query model: %v", err)
	}
}

// TestInitFromTextMLP sets the MLP's embedding rows to the text's input
// embeddings.
func TestInitFromTextMLP(t *testing.T) {
	m, d := newModel(t)
	p := New(m, 2, 16)
	if err := p.InitFromText(m, []int32{7}, 1); err != nil {
		t.Fatal(err)
	}
	C := tiny.NEmbd
	emb, wte := d.F(p.MLP()[0]), d.F(m.Params.WTE)[7*C:8*C]
	for r := 0; r < 2; r++ { // the one-token text repeats
		for i := 0; i < C; i++ {
			if emb[r*C+i] != wte[i] {
				t.Fatalf("embedding row %d differs from token 7's embedding", r)
			}
		}
	}
}
