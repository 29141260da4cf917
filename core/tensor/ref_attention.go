package tensor

import (
	"fmt"
	"math"
)

// attnArgs are the dimensions of an attention op: batch B, sequence T, NH
// query heads sharing KVH key/value heads of HS slots, P past positions
// whose rows are S slots apart.
type attnArgs struct{ B, T, NH, KVH, HS, P, S int }

// newAttnArgs checks that the KVH key/value heads can be shared by the NH
// query heads.
func newAttnArgs(B, T, NH, KVH, HS, P, S int) attnArgs {
	if KVH < 1 || NH%KVH != 0 {
		panic(fmt.Sprintf("tensor: attention: %d query heads cannot share %d key/value heads; KVH must divide NH", NH, KVH))
	}
	return attnArgs{B: B, T: T, NH: NH, KVH: KVH, HS: HS, P: P, S: S}
}

// width is the row width of qkv: NH queries, KVH keys, KVH values.
func (a attnArgs) width() int { return (a.NH + 2*a.KVH) * a.HS }

// group is the key/value head of query head h.
func (a attnArgs) group(h int) int { return h / (a.NH / a.KVH) }

// q returns the query of head h of token t of batch b in qkv (or dqkv).
func (a attnArgs) q(qkv []float32, b, t, h int) []float32 {
	return qkv[(b*a.T+t)*a.width()+h*a.HS:][:a.HS]
}

// kv returns the key (kv=0) or value (kv=1) row of position j (< P+T) of
// kv head g in batch b: a past row for j < P, else real token j-P of qkv.
func (a attnArgs) kv(qkv, pastK, pastV []float32, b, g, j, kv int) []float32 {
	if j < a.P {
		past := pastK
		if kv == 1 {
			past = pastV
		}
		return past[j*a.S+g*a.HS:][:a.HS]
	}
	return qkv[(b*a.T+j-a.P)*a.width()+(a.NH+kv*a.KVH+g)*a.HS:][:a.HS]
}

// attends reports whether query t of batch b sees position j.
func (a attnArgs) attends(valid []float32, b, t, j int) bool {
	tj := j - a.P
	return tj < 0 || (tj <= t && valid[b*a.T+tj] != 0)
}

// attentionRef computes query heads [h0,h1) of Device.Attention.
func attentionRef(out, att, qkv, pastK, pastV, valid []float32, a attnArgs, h0, h1 int) {
	HS := a.HS
	L := a.P + a.T
	scale := float32(1 / math.Sqrt(float64(HS)))
	for b := 0; b < a.B; b++ {
		for h := h0; h < h1; h++ {
			for t := 0; t < a.T; t++ {
				q := a.q(qkv, b, t, h)
				row := att[((b*a.NH+h)*a.T+t)*L:][:L]
				mx := float32(math.Inf(-1))
				for j := range row {
					if !a.attends(valid, b, t, j) {
						row[j] = float32(math.Inf(-1))
						continue
					}
					k := a.kv(qkv, pastK, pastV, b, a.group(h), j, 0)
					var s float32
					for d := range q {
						s += q[d] * k[d]
					}
					row[j] = s * scale
					mx = max(mx, row[j])
				}
				var sum float32
				for j, x := range row {
					if math.IsInf(float64(x), -1) {
						row[j] = 0
						continue
					}
					row[j] = float32(math.Exp(float64(x - mx)))
					sum += row[j]
				}
				o := out[((b*a.T+t)*a.NH+h)*HS:][:HS]
				clear(o)
				if sum == 0 {
					continue
				}
				for j := range row {
					row[j] /= sum
					if row[j] == 0 {
						continue
					}
					v := a.kv(qkv, pastK, pastV, b, a.group(h), j, 1)
					for d := range o {
						o[d] += row[j] * v[d]
					}
				}
			}
		}
	}
}

// attentionBackwardRef computes query heads [h0,h1) of
// Device.AttentionBackward. The gradients of a key/value head are summed
// over its query heads, so calls that run at the same time must be given
// whole groups (ranges of key/value heads).
func attentionBackwardRef(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att []float32, a attnArgs, h0, h1 int) {
	HS := a.HS
	L := a.P + a.T
	scale := float32(1 / math.Sqrt(float64(HS)))
	// grad returns the gradient row matching a.kv's row, or nil if not wanted.
	grad := func(b, g, j, kv int) []float32 {
		if j < a.P && dpastK == nil || j >= a.P && dqkv == nil {
			return nil
		}
		return a.kv(dqkv, dpastK, dpastV, b, g, j, kv)
	}
	for b := 0; b < a.B; b++ {
		for h := h0; h < h1; h++ {
			for t := 0; t < a.T; t++ {
				gh := a.group(h)
				q := a.q(qkv, b, t, h)
				g := dout[((b*a.T+t)*a.NH+h)*HS:][:HS]
				row := att[((b*a.NH+h)*a.T+t)*L:][:L]
				drow := datt[((b*a.NH+h)*a.T+t)*L:][:L]
				// datt_j = g . v_j, then through the softmax.
				var dot float32
				for j := range drow {
					drow[j] = 0
					if row[j] == 0 {
						continue
					}
					v := a.kv(qkv, pastK, pastV, b, gh, j, 1)
					var s float32
					for d := range g {
						s += g[d] * v[d]
					}
					drow[j] = s
					dot += row[j] * s
					if dv := grad(b, gh, j, 1); dv != nil {
						for d := range dv {
							dv[d] += row[j] * g[d]
						}
					}
				}
				var dq []float32
				if dqkv != nil {
					dq = a.q(dqkv, b, t, h)
				}
				for j := range drow {
					if row[j] == 0 {
						continue
					}
					dpre := row[j] * (drow[j] - dot) * scale
					drow[j] = dpre
					k := a.kv(qkv, pastK, pastV, b, gh, j, 0)
					for d := range dq {
						dq[d] += dpre * k[d]
					}
					if dk := grad(b, gh, j, 0); dk != nil {
						for d := range dk {
							dk[d] += dpre * q[d]
						}
					}
				}
			}
		}
	}
}
