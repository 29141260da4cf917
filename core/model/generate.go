package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Sampling chooses the next token: greedy at Temperature 0, otherwise from
// softmax(logits/Temperature) restricted to the TopK most likely (0: all).
type Sampling struct {
	Temperature float64
	TopK        int
	Seed        uint64
}

// Generate continues prompt after the prefix for up to maxNew tokens,
// stopping early at stop (if >= 0). It keeps a key/value cache in the
// prefix's own layout, so each new token costs one single-token pass; emit,
// if not nil, is called with each new token as it is chosen.
func (m *Model) Generate(pre Prefix, prompt []int32, maxNew int, stop int32, s Sampling, emit func(int32)) ([]int32, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("the prompt is empty: give at least one token")
	}
	c, d := m.Config, m.Dev
	total := pre.P + len(prompt) + maxNew
	if total > c.NPositions {
		return nil, fmt.Errorf("prefix (%d) + prompt (%d tokens) + %d new tokens exceed the model's %d positions", pre.P, len(prompt), maxNew, c.NPositions)
	}
	W, D, V, L, QKV, Q := c.PrefixWidth(), c.TokenDim(), c.VocabSize, c.NLayer, c.QKVWidth(), c.NHead*c.HeadSize()
	mark := d.Mark()
	defer d.Release(mark)
	cache := d.Alloc(total * W) // [total, L*2*KVH*HS]
	if pre.P > 0 {
		d.Copy(cache.Slice(0, pre.P*W), pre.Rows.Slice(0, pre.P*W))
	}
	a := NewActs(d, c, Shape{B: 1, T: len(prompt), P: total})
	rng := rand.New(rand.NewPCG(s.Seed, 0x67656e)) // "gen"
	logits := make([]float32, V)
	past := pre.P
	var out []int32
	feed := prompt
	for len(out) < maxNew {
		T := len(feed)
		targets, valid := make([]int32, T), make([]float32, T)
		for i := range targets {
			targets[i], valid[i] = -1, 1
		}
		if _, _, err := m.Forward(a, Prefix{Rows: cache, P: past}, Batch{B: 1, T: T, Tokens: feed, Targets: targets, Valid: valid, Outputs: []int{T - 1}}); err != nil {
			return out, err
		}
		// The new keys (Llama: already rotated) and values join the cache.
		for l := 0; l < L; l++ {
			qkv := layer(a.QKV, l, L)
			for t := 0; t < T; t++ {
				row := cache.Slice((past+t)*W, W)
				d.Copy(row.Slice(2*l*D, D), qkv.Slice(t*QKV+Q, D))
				d.Copy(row.Slice((2*l+1)*D, D), qkv.Slice(t*QKV+Q+D, D))
			}
		}
		past += T
		d.Download(logits, a.Logits.Slice(0, V))
		next := sample(logits, s, rng)
		out = append(out, next)
		if emit != nil {
			emit(next)
		}
		if next == stop {
			break
		}
		feed = []int32{next}
	}
	return out, nil
}

// sample picks a token from logits [V].
func sample(logits []float32, s Sampling, rng *rand.Rand) int32 {
	if s.Temperature <= 0 {
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		return int32(best)
	}
	idx := make([]int, len(logits))
	for i := range idx {
		idx[i] = i
	}
	if s.TopK > 0 && s.TopK < len(idx) {
		sort.Slice(idx, func(a, b int) bool { return logits[idx[a]] > logits[idx[b]] })
		idx = idx[:s.TopK]
	}
	mx := math.Inf(-1)
	for _, i := range idx {
		mx = math.Max(mx, float64(logits[i]))
	}
	w := make([]float64, len(idx))
	var sum float64
	for j, i := range idx {
		w[j] = math.Exp((float64(logits[i]) - mx) / s.Temperature)
		sum += w[j]
	}
	r := rng.Float64() * sum
	for j, i := range idx {
		if r -= w[j]; r < 0 {
			return int32(i)
		}
	}
	return int32(idx[len(idx)-1])
}
