package tensor

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// The fast device computes attentionRef's function one query head of one
// batch at a time, as small GEMMs (scores = Q K^T, out = att V, and their
// transposes in backward) around the reference's softmax. Forward is split
// across goroutines by query head (a head owns its columns of out and its
// rows of att); backward by key/value head: a goroutine owns the columns of
// dqkv and of the past gradients of its key/value heads (summed over the
// batch and over their query heads by that one goroutine), and the rows of
// datt of their query heads.

// head holds the matrices of query head h of batch b, or of their
// gradients: its queries, the keys and values of its key/value head for
// the real tokens [T,HS] (rows of qkv), past keys and values [P,HS], the
// head's columns of out [T,HS] and its probabilities att [T,P+T]. Absent
// inputs give absent matrices.
type head struct {
	q, k, v, pk, pv, o, att blas32.General
}

func (a attnArgs) head(qkv, pastK, pastV, out, att []float32, b, h int) head {
	HS, L, W, g := a.HS, a.P+a.T, a.width(), a.group(h)
	r0 := b * a.T * W
	return head{
		q:   mat(qkv, r0+h*HS, a.T, HS, W),
		k:   mat(qkv, r0+(a.NH+g)*HS, a.T, HS, W),
		v:   mat(qkv, r0+(a.NH+a.KVH+g)*HS, a.T, HS, W),
		pk:  mat(pastK, g*HS, a.P, HS, a.S),
		pv:  mat(pastV, g*HS, a.P, HS, a.S),
		o:   mat(out, b*a.T*a.NH*HS+h*HS, a.T, HS, a.NH*HS),
		att: mat(att, (b*a.NH+h)*a.T*L, a.T, L, L),
	}
}

// past and tokens are the columns of m [T,P+T] for the past positions and
// for the real tokens, in rows [r0,r0+n); tokens keeps the first cols.
func (a attnArgs) past(m blas32.General, r0, n int) blas32.General {
	return sub(m, r0, 0, n, a.P)
}
func (a attnArgs) tokens(m blas32.General, r0, n, cols int) blas32.General {
	return sub(m, r0, a.P, n, cols)
}

// causalBlocks calls f on blocks of query rows [i0,i0+n); the real keys
// they see are the first i0+n.
func (a attnArgs) causalBlocks(f func(i0, n int)) {
	for i0 := 0; i0 < a.T; i0 += tileM {
		f(i0, min(tileM, a.T-i0))
	}
}

func (a attnArgs) forwardHead(x head, valid []float32, b int) {
	HS, L := a.HS, a.P+a.T
	scale := float32(1 / math.Sqrt(float64(HS)))
	a.causalBlocks(func(i0, n int) {
		q := sub(x.q, i0, 0, n, HS)
		gemm(blas.NoTrans, blas.Trans, scale, q, x.pk, 0, a.past(x.att, i0, n))
		gemm(blas.NoTrans, blas.Trans, scale, q, sub(x.k, 0, 0, i0+n, HS), 0, a.tokens(x.att, i0, n, i0+n))
	})
	// The softmax of attentionRef; scores right of the diagonal were not
	// computed and are masked here.
	for t := range a.T {
		row := x.att.Data[t*L:][:L]
		mx := float32(math.Inf(-1))
		for j := range row {
			if !a.attends(valid, b, t, j) {
				row[j] = float32(math.Inf(-1))
				continue
			}
			mx = max(mx, row[j])
		}
		var sum float32
		for j, s := range row {
			if math.IsInf(float64(s), -1) {
				row[j] = 0
				continue
			}
			row[j] = float32(math.Exp(float64(s - mx)))
			sum += row[j]
		}
		if sum == 0 {
			continue
		}
		for j := range row {
			row[j] /= sum
		}
	}
	gemm(blas.NoTrans, blas.NoTrans, 1, a.past(x.att, 0, a.T), x.pv, 0, x.o)
	gemm(blas.NoTrans, blas.NoTrans, 1, a.tokens(x.att, 0, a.T, a.T), x.v, 1, x.o)
}

// backwardHead accumulates the gradients g from dout g.o, with x the
// inputs and g.att (datt) as scratch.
func (a attnArgs) backwardHead(g, x head) {
	HS, L := a.HS, a.P+a.T
	scale := float32(1 / math.Sqrt(float64(HS)))
	a.causalBlocks(func(i0, n int) {
		do := sub(g.o, i0, 0, n, HS)
		gemm(blas.NoTrans, blas.Trans, 1, do, x.pv, 0, a.past(g.att, i0, n))
		gemm(blas.NoTrans, blas.Trans, 1, do, sub(x.v, 0, 0, i0+n, HS), 0, a.tokens(g.att, i0, n, i0+n))
	})
	gemm(blas.Trans, blas.NoTrans, 1, a.past(x.att, 0, a.T), g.o, 1, g.pv)
	gemm(blas.Trans, blas.NoTrans, 1, a.tokens(x.att, 0, a.T, a.T), g.o, 1, g.v)
	// The softmax backward of attentionBackwardRef, in place in datt;
	// entries right of the diagonal have probability 0 and are cleared.
	for t := range a.T {
		row, drow := x.att.Data[t*L:][:L], g.att.Data[t*L:][:L]
		var dot float32
		for j, p := range row {
			if p == 0 {
				drow[j] = 0
				continue
			}
			dot += p * drow[j]
		}
		for j, p := range row {
			if p != 0 {
				drow[j] = p * (drow[j] - dot) * scale
			}
		}
	}
	gemm(blas.NoTrans, blas.NoTrans, 1, a.past(g.att, 0, a.T), x.pk, 1, g.q)
	gemm(blas.NoTrans, blas.NoTrans, 1, a.tokens(g.att, 0, a.T, a.T), x.k, 1, g.q)
	gemm(blas.Trans, blas.NoTrans, 1, a.past(g.att, 0, a.T), x.q, 1, g.pk)
	gemm(blas.Trans, blas.NoTrans, 1, a.tokens(g.att, 0, a.T, a.T), x.q, 1, g.k)
}

// attnCost is the work of one query head of attention in slot operations.
func attnCost(a attnArgs) int { return a.B * a.T * (a.P + a.T) * (2*a.HS + transcendental) }

func (d *Fast) Attention(out, att, qkv, pastK, pastV, valid Tensor, B, T, NH, KVH, HS, P, S int) {
	a := newAttnArgs(B, T, NH, KVH, HS, P, S)
	o, p, x, v := d.F(out), d.F(att), d.F(qkv), d.F(valid)
	pk, pv := d.strided(pastK, P, S, KVH*HS), d.strided(pastV, P, S, KVH*HS)
	d.run(NH, attnCost(a), func(h0, h1 int) {
		for h := h0; h < h1; h++ {
			for b := range B {
				a.forwardHead(a.head(x, pk, pv, o, p, b, h), v, b)
			}
		}
	})
}

func (d *Fast) AttentionBackward(dqkv, dpastK, dpastV, datt, dout, qkv, pastK, pastV, att Tensor, B, T, NH, KVH, HS, P, S int) {
	a := newAttnArgs(B, T, NH, KVH, HS, P, S)
	var dpk, dpv []float32
	if !dpastK.Absent() {
		dpk, dpv = d.strided(dpastK, P, S, KVH*HS), d.strided(dpastV, P, S, KVH*HS)
	}
	dx, da, g, x, p := d.opt(dqkv), d.F(datt), d.F(dout), d.F(qkv), d.F(att)
	pk, pv := d.strided(pastK, P, S, KVH*HS), d.strided(pastV, P, S, KVH*HS)
	R := NH / KVH
	d.run(KVH, 2*R*attnCost(a), func(g0, g1 int) {
		for h := g0 * R; h < g1*R; h++ {
			for b := range B {
				a.backwardHead(a.head(dx, dpk, dpv, g, da, b, h), a.head(x, pk, pv, nil, p, b, h))
			}
		}
	})
}
