package prefix

import (
	"fmt"
	"math"
	"math/rand/v2"

	"prefixtune/core/model"
	"prefixtune/core/tensor"
)

// InitRandom draws the parameters as PEFT does: the rows (or the MLP's
// embedding) from N(0, 1), and the MLP's linear layers from torch.nn.Linear's
// default U(-1/sqrt(in), 1/sqrt(in)).
func (p *Prefix) InitRandom(m *model.Model, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x707265666978)) // "prefix"
	normal := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	uniform := func(n, in int) []float32 {
		v, bound := make([]float32, n), 1/math.Sqrt(float64(in))
		for i := range v {
			v[i] = float32((2*rng.Float64() - 1) * bound)
		}
		return v
	}
	if p.E == 0 {
		m.Dev.Upload(p.Params, normal(p.Params.Len))
		return
	}
	m.Dev.Upload(p.emb, normal(p.emb.Len))
	m.Dev.Upload(p.w1, uniform(p.w1.Len, p.C))
	m.Dev.Upload(p.b1, uniform(p.b1.Len, p.C))
	m.Dev.Upload(p.w2, uniform(p.w2.Len, p.E))
	m.Dev.Upload(p.b2, uniform(p.b2.Len, p.E))
}

// InitRows sets a direct prefix to rows [P, L*2*D], e.g. from an adapter.
func (p *Prefix) InitRows(m *model.Model, rows []float32) error {
	if p.E > 0 {
		return fmt.Errorf("a prefix with an MLP reparameterisation cannot start from saved rows: PEFT saves only the MLP's output; train without --projection to continue from an adapter")
	}
	if len(rows) != p.Params.Len {
		return fmt.Errorf("the saved prefix has %d floats, this model and prefix length need %d x %d = %d", len(rows), p.P, p.Width, p.Params.Len)
	}
	m.Dev.Upload(p.Params, rows)
	return nil
}

// InitFromText takes the prefix from the frozen model's own activations
// (Li & Liang's best low-data initialisation): the keys and values of the
// first P tokens of text in every layer. Text shorter than P tokens is
// repeated. With the MLP, the embedding rows become the tokens' input
// embeddings instead (which needs PEFT's token_dim to be the embedding
// size: no grouped-query attention), and the linear layers are drawn as in
// InitRandom. (Llama keys are rotated: text token i sits at position i.)
func (p *Prefix) InitFromText(m *model.Model, tokens []int32, seed uint64) error {
	if len(tokens) == 0 {
		return fmt.Errorf("the initialisation text is empty: give a text of at least a few words")
	}
	c := m.Config
	P, D, L, QKV, Q := p.P, c.TokenDim(), c.NLayer, c.QKVWidth(), c.NHead*c.HeadSize()
	ids := make([]int32, P)
	for i := range ids {
		ids[i] = tokens[i%len(tokens)]
	}
	d := m.Dev
	mark := d.Mark()
	defer d.Release(mark)
	if p.E > 0 {
		if D != c.NEmbd {
			return fmt.Errorf("the MLP's input width (token_dim %d, grouped-query attention) is not the embedding size %d, so it cannot start from the text's embeddings: initialise it randomly or train without the projection", D, c.NEmbd)
		}
		p.InitRandom(m, seed)
		tok := d.Alloc(P) // int32 [P]
		d.UploadInt32(tok, ids)
		d.Encoder(p.emb, tok, m.Params.WTE, tensor.Tensor{}, 1, P, D, 0)
		return nil
	}
	a := model.NewActs(d, c, model.Shape{B: 1, T: P})
	targets, valid := make([]int32, P), make([]float32, P)
	for i := range valid {
		targets[i], valid[i] = -1, 1
	}
	if _, _, err := m.Forward(a, model.Prefix{}, model.Batch{B: 1, T: P, Tokens: ids, Targets: targets, Valid: valid}); err != nil {
		return err
	}
	// A row of qkv holds the NH queries, then the KVH keys and values: the
	// 2*D floats of one layer of a prefix row.
	kv := make([]float32, 2*D)
	for l := 0; l < L; l++ {
		qkv := a.QKV.Slice(l*a.QKV.Len/L, P*QKV)
		for i := 0; i < P; i++ {
			d.Download(kv, qkv.Slice(i*QKV+Q, 2*D))
			d.Upload(p.Params.Slice(i*p.Width+2*l*D, 2*D), kv)
		}
	}
	return nil
}
