package model

// Forward and Backward run a batch packed: each sequence keeps its
// positions up to its last real token or output position, end to end with
// the others, and the padding after it is dropped. Every op but the
// encoder, RoPE and attention works row by row, so it runs on the packed
// rows only; those three run once per span of consecutive sequences of one
// length. Attention is causal, so no kept position ever saw the dropped
// ones: packing changes the work, not the results.

// span is B consecutive sequences of T positions each, from packed row
// Row, whose attention probabilities start at float Att of a layer's att.
type span struct{ Row, Att, B, T int }

// packing is where a batch's positions go.
type packing struct {
	N     int    // packed rows
	spans []span // in batch order
	keep  []int  // batch position of each packed row
}

// pack lays out b, keeping in each row the positions through its last
// real token or output position (outputs, ascending batch positions),
// for NH heads that also see P past positions.
func pack(b Batch, outputs []int, NH, P int) packing {
	T := b.T
	n := make([]int, b.B) // positions kept per sequence
	for i, v := range b.Valid {
		if v != 0 {
			n[i/T] = i%T + 1
		}
	}
	for _, i := range outputs {
		n[i/T] = max(n[i/T], i%T+1)
	}
	var pk packing
	for s := 0; s < b.B; s++ {
		if n[s] == 0 {
			continue
		}
		last := len(pk.spans) - 1
		if last >= 0 && pk.spans[last].T == n[s] {
			pk.spans[last].B++
		} else {
			att := 0
			if last >= 0 {
				l := pk.spans[last]
				att = l.Att + l.B*NH*l.T*(P+l.T)
			}
			pk.spans = append(pk.spans, span{Row: pk.N, Att: att, B: 1, T: n[s]})
		}
		for t := 0; t < n[s]; t++ {
			pk.keep = append(pk.keep, s*T+t)
		}
		pk.N += n[s]
	}
	return pk
}

// rows returns the packed rows of batch positions that pack kept
// (ascending, as outputs are).
func (pk packing) rows(positions []int) []int {
	out := make([]int, len(positions))
	r := 0
	for j, i := range positions {
		for pk.keep[r] != i {
			r++
		}
		out[j] = r
	}
	return out
}

// gather returns x at the given positions.
func gather[E any](x []E, positions []int) []E {
	out := make([]E, len(positions))
	for j, i := range positions {
		out[j] = x[i]
	}
	return out
}
