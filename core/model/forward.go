package model

import (
	"fmt"

	"prefixtune/core/tensor"
)

// Forward runs the model on b after the prefix and leaves in a the logits
// [Nh,V] and losses [Nh] (0 where the target is -1) of the batch's Nh
// output positions (Batch.Outputs: by default those with a target), in
// their order. It returns the sum of the losses and the number of targets.
// The activations hold the batch packed (packing.go): N rows, not B*T.
//
// GPT-2 and Llama share the block: norm, qkv matmul, (Llama: RoPE on q and
// k at positions P..P+T-1), attention after the prefix, output matmul,
// residual; norm, fc matmul, GELU or SwiGLU, projection matmul, residual.
func (m *Model) Forward(a *Acts, pre Prefix, b Batch) (lossSum float64, n int, err error) {
	if err := m.check(a, b, pre.P); err != nil {
		return 0, 0, err
	}
	d, c, p := m.Dev, m.Config, m.Params
	P, C, L, NH := pre.P, c.NEmbd, c.NLayer, c.NHead
	KVH, HS, QKV, F, FC := c.KVHeads(), c.HeadSize(), c.QKVWidth(), c.Inner(), c.fcWidth()
	S, A := c.PrefixWidth(), NH*HS
	outputs := b.outputs()
	if len(outputs) > a.Shape.outputs() {
		return 0, 0, fmt.Errorf("the batch has %d output positions (targets), more than the %d its arena was sized for", len(outputs), a.Shape.outputs())
	}
	pk := pack(b, outputs, NH, P)
	N := pk.N
	if N > a.Shape.rows() {
		return 0, 0, fmt.Errorf("the batch packs to %d rows (tokens), more than the %d its arena was sized for", N, a.Shape.rows())
	}
	at := func(t tensor.Tensor, l, width int) tensor.Tensor { return layer(t, l, L).Slice(0, N*width) }
	kept := a.kept(L, N)
	d.UploadInt32(a.Tokens.Slice(0, N), gather(b.Tokens, pk.keep))
	d.Upload(a.Valid.Slice(0, N), gather(b.Valid, pk.keep))

	for _, s := range pk.spans {
		rows := s.B * s.T
		d.Encoder(a.Encoded.Slice(s.Row*C, rows*C), a.Tokens.Slice(s.Row, rows), p.WTE, p.WPE, s.B, s.T, C, P)
	}
	residual := a.Encoded
	for l := 0; l < L; l++ {
		ln1, mean1, rstd1 := kept(a.LN1, l, C), at(a.LN1Mean, l, c.meanWidth()), at(a.LN1Rstd, l, 1)
		qkv, atty, att := at(a.QKV, l, QKV), kept(a.Atty, l, A), layer(a.Att, l, L)
		attProj, res2 := kept(a.AttProj, l, C), at(a.Residual2, l, C)
		ln2, mean2, rstd2 := kept(a.LN2, l, C), at(a.LN2Mean, l, c.meanWidth()), at(a.LN2Rstd, l, 1)
		fch, fchGelu, fcProj, res3 := at(a.FCH, l, FC), kept(a.FCHGelu, l, F), kept(a.FCProj, l, C), at(a.Residual3, l, C)
		prek, prev := m.kv(pre, l)

		m.norm(ln1, mean1, rstd1, residual, layer(p.LN1W, l, L), layer(p.LN1B, l, L), N)
		d.Matmul(qkv, ln1, layer(p.QKVW, l, L), layer(p.QKVB, l, L), N, C, QKV)
		for _, s := range pk.spans {
			rows := s.B * s.T
			q := qkv.Slice(s.Row*QKV, rows*QKV)
			if c.Llama() {
				cos, sin := m.rope(P, s.T)
				d.RoPE(q, cos, sin, s.B, s.T, NH, KVH, HS)
			}
			d.Attention(atty.Slice(s.Row*A, rows*A), att.Slice(s.Att, s.B*NH*s.T*(P+s.T)), q, prek, prev,
				a.Valid.Slice(s.Row, rows), s.B, s.T, NH, KVH, HS, P, S)
		}
		d.Matmul(attProj, atty, layer(p.AttProjW, l, L), layer(p.AttProjB, l, L), N, A, C)
		d.Add(res2, residual, attProj, N*C)
		m.norm(ln2, mean2, rstd2, res2, layer(p.LN2W, l, L), layer(p.LN2B, l, L), N)
		d.Matmul(fch, ln2, layer(p.FCW, l, L), layer(p.FCB, l, L), N, C, FC)
		m.act(fchGelu, fch, N)
		d.Matmul(fcProj, fchGelu, layer(p.FCProjW, l, L), layer(p.FCProjB, l, L), N, F, C)
		d.Add(res3, res2, fcProj, N*C)
		residual = res3
	}
	m.norm(a.LNF, a.LNFMean, a.LNFRstd, residual, p.LNFW, p.LNFB, N)
	a.packed, a.headRows, a.headTargets = pk, pk.rows(outputs), gather(b.Targets, outputs)
	lossSum, n = m.headForward(a, a.headRows, a.headTargets)
	return lossSum, n, nil
}

// meanWidth is the per-row width of the norms' saved means: 1 for
// LayerNorm, 0 for RMSNorm (which has none).
func (c Config) meanWidth() int {
	if c.Llama() {
		return 0
	}
	return 1
}

// Backward back-propagates scale * (sum of the losses at targets) through
// the activations that Forward left in a for its batch (the logits are
// overwritten). It accumulates the prefix gradient into dprefix (same
// layout as pre.Rows; absent to skip) and, if enabled, the weight
// gradients into m.Grads.
func (m *Model) Backward(a *Acts, pre Prefix, dprefix tensor.Tensor, scale float32) {
	d, c, p, g := m.Dev, m.Config, m.Params, m.Grads
	P, C, L, NH := pre.P, c.NEmbd, c.NLayer, c.NHead
	KVH, HS, QKV, F, FC := c.KVHeads(), c.HeadSize(), c.QKVWidth(), c.Inner(), c.fcWidth()
	S, A := c.PrefixWidth(), NH*HS
	pk := a.packed
	N := pk.N
	at := func(t tensor.Tensor, l, width int) tensor.Tensor { return layer(t, l, L).Slice(0, N*width) }
	gl := func(t tensor.Tensor, l int) tensor.Tensor { // layer l of a gradient, or absent
		if t.Absent() {
			return t
		}
		return layer(t, l, L)
	}
	weights := !g.All.Absent()
	if weights && !a.Shape.Weights {
		panic("model: Backward with weight gradients needs an arena that keeps every layer's matmul inputs (Shape.Weights)")
	}
	kept := a.kept(L, N)

	dres, dln := a.DResidual.Slice(0, N*C), a.DLN.Slice(0, N*C)
	m.headBackward(dln, dres, a, a.headRows, a.headTargets, scale)
	d.Zero(dres)
	m.normBackward(dres, g.LNFW, g.LNFB, dln, at(a.Residual3, L-1, C), p.LNFW, a.LNFMean, a.LNFRstd, N)

	for l := L - 1; l >= 0; l-- {
		residual := a.Encoded
		if l > 0 {
			residual = at(a.Residual3, l-1, C)
		}
		dqkv, dfch, dfchGelu := a.DQKV.Slice(0, N*QKV), a.DFCH.Slice(0, N*FC), a.DFCHGelu.Slice(0, N*F)
		mean1, mean2 := at(a.LN1Mean, l, c.meanWidth()), at(a.LN2Mean, l, c.meanWidth())
		prek, prev := m.kv(pre, l)
		var dpk, dpv tensor.Tensor
		if !dprefix.Absent() && P > 0 {
			dpk, dpv = m.kv(Prefix{dprefix, P}, l)
		}

		// residual3 = residual2 + fcProj: dres flows to both.
		d.Zero(dfchGelu)
		d.MatmulBackward(dfchGelu, gl(g.FCProjW, l), gl(g.FCProjB, l), dres, kept(a.FCHGelu, l, F), layer(p.FCProjW, l, L), N, F, C)
		d.Zero(dfch)
		m.actBackward(dfch, at(a.FCH, l, FC), dfchGelu, N)
		d.Zero(dln)
		d.MatmulBackward(dln, gl(g.FCW, l), gl(g.FCB, l), dfch, kept(a.LN2, l, C), layer(p.FCW, l, L), N, C, FC)
		m.normBackward(dres, gl(g.LN2W, l), gl(g.LN2B, l), dln, at(a.Residual2, l, C), layer(p.LN2W, l, L), mean2, at(a.LN2Rstd, l, 1), N)

		// residual2 = residual + attProj.
		datty := a.DLN.Slice(0, N*A)
		d.Zero(datty)
		d.MatmulBackward(datty, gl(g.AttProjW, l), gl(g.AttProjB, l), dres, kept(a.Atty, l, A), layer(p.AttProjW, l, L), N, A, C)
		// Nothing below the first attention needs a gradient unless the
		// weights do.
		stop := l == 0 && !weights
		if !stop {
			d.Zero(dqkv)
		}
		qkv, att := at(a.QKV, l, QKV), layer(a.Att, l, L)
		for _, s := range pk.spans {
			rows, na := s.B*s.T, s.B*NH*s.T*(P+s.T)
			dq := tensor.Tensor{}
			if !stop {
				dq = dqkv.Slice(s.Row*QKV, rows*QKV)
			}
			d.AttentionBackward(dq, dpk, dpv, a.DAtt.Slice(s.Att, na), datty.Slice(s.Row*A, rows*A), qkv.Slice(s.Row*QKV, rows*QKV),
				prek, prev, att.Slice(s.Att, na), s.B, s.T, NH, KVH, HS, P, S)
			if c.Llama() && !stop {
				cos, sin := m.rope(P, s.T)
				d.RoPEBackward(dq, cos, sin, s.B, s.T, NH, KVH, HS)
			}
		}
		if stop {
			return
		}
		dln1 := dln
		d.Zero(dln1)
		d.MatmulBackward(dln1, gl(g.QKVW, l), gl(g.QKVB, l), dqkv, kept(a.LN1, l, C), layer(p.QKVW, l, L), N, C, QKV)
		m.normBackward(dres, gl(g.LN1W, l), gl(g.LN1B, l), dln1, residual, layer(p.LN1W, l, L), mean1, at(a.LN1Rstd, l, 1), N)
	}
	for _, s := range pk.spans {
		rows := s.B * s.T
		d.EncoderBackward(g.WTE, g.WPE, dres.Slice(s.Row*C, rows*C), a.Tokens.Slice(s.Row, rows), s.B, s.T, C, P)
	}
}
