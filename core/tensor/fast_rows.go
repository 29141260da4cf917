package tensor

// Row- and column-parallel ops of the fast device. Each goroutine computes
// its own rows or columns with the reference's arithmetic, so no output
// slot is written by two goroutines.

func (d *Fast) Encoder(out, tokens, wte, wpe Tensor, B, T, C, P int) {
	o, tok, p := d.F(out), d.I(tokens), d.opt(wpe)
	d.run(B*T, C, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			// Row r is a batch of one token at position P + r%T.
			if wte.DType != F32 {
				encoderRef16(o[r*C:(r+1)*C], tok[r:r+1], d.h16(wte), p, 1, 1, C, P+r%T)
				continue
			}
			encoderRef(o[r*C:(r+1)*C], tok[r:r+1], d.F(wte), p, 1, 1, C, P+r%T)
		}
	})
}

// EncoderBackward splits the channels, not the tokens: a token may occur
// many times, and its dwte row must be summed by one goroutine.
func (d *Fast) EncoderBackward(dwte, dwpe, dout, tokens Tensor, B, T, C, P int) {
	dte, dpe, g, tok := d.opt(dwte), d.opt(dwpe), d.F(dout), d.I(tokens)
	d.run(C, B*T, func(c0, c1 int) {
		for r := range B * T {
			gr := g[r*C+c0 : r*C+c1]
			if dte != nil {
				e := dte[int(tok[r])*C+c0:][:len(gr)]
				for i, x := range gr {
					e[i] += x
				}
			}
			if dpe != nil {
				p := dpe[(P+r%T)*C+c0:][:len(gr)]
				for i, x := range gr {
					p[i] += x
				}
			}
		}
	})
}

func (d *Fast) LayerNorm(out, mean, rstd, inp, weight, bias Tensor, N, C int, eps float32) {
	o, m, s, x, w, b := d.F(out), d.F(mean), d.F(rstd), d.F(inp), d.F(weight), d.F(bias)
	d.run(N, 4*C, func(lo, hi int) {
		layerNormRef(o[lo*C:hi*C], m[lo:hi], s[lo:hi], x[lo*C:hi*C], w, b, hi-lo, C, eps)
	})
}

// lnBlock is the block of rows whose dweight and dbias are summed apart,
// then added to the outputs in block order: a fixed block keeps the
// results independent of the number of threads.
const lnBlock = 64

func (d *Fast) LayerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd Tensor, N, C int) {
	dx, dw, db := d.opt(dinp), d.opt(dweight), d.opt(dbias)
	g, x, w, m, s := d.F(dout), d.F(inp), d.F(weight), d.F(mean), d.F(rstd)
	nb := (N + lnBlock - 1) / lnBlock
	// part returns rows [lo,hi) of v [N,C] (v[lo*C:hi*C]); nil stays nil.
	part := func(v []float32, lo, hi int) []float32 {
		if v == nil {
			return nil
		}
		return v[lo*C : hi*C]
	}
	var pw, pb []float32
	if dw != nil {
		pw = make([]float32, nb*C)
	}
	if db != nil {
		pb = make([]float32, nb*C)
	}
	d.run(nb, 6*C*lnBlock, func(b0, b1 int) {
		for k := b0; k < b1; k++ {
			lo, hi := k*lnBlock, min(N, (k+1)*lnBlock)
			layerNormBackwardRef(part(dx, lo, hi), part(pw, k, k+1), part(pb, k, k+1),
				g[lo*C:hi*C], x[lo*C:hi*C], w, m[lo:hi], s[lo:hi], hi-lo, C)
		}
	})
	d.run(C, 2*nb, func(c0, c1 int) {
		for k := range nb {
			for j := c0; j < c1; j++ {
				if dw != nil {
					dw[j] += pw[k*C+j]
				}
				if db != nil {
					db[j] += pb[k*C+j]
				}
			}
		}
	})
}

func (d *Fast) CrossEntropy(losses, logits, targets Tensor, N, V int) {
	l, x, tg := d.F(losses), d.F(logits), d.I(targets)
	d.run(N, transcendental*V, func(lo, hi int) {
		crossEntropyRef(l[lo:hi], x[lo*V:hi*V], tg[lo:hi], hi-lo, V)
	})
}

func (d *Fast) CrossEntropyBackward(dlogits, logits, targets, dlosses Tensor, N, V int) {
	dx, x, tg, dl := d.F(dlogits), d.F(logits), d.I(targets), d.F(dlosses)
	d.run(N, 2*transcendental*V, func(lo, hi int) {
		crossEntropyBackwardRef(dx[lo*V:hi*V], x[lo*V:hi*V], tg[lo:hi], dl[lo:hi], hi-lo, V)
	})
}

func (d *Fast) RMSNorm(out, rstd, inp, weight Tensor, N, C int, eps float32) {
	o, s, x, w := d.F(out), d.F(rstd), d.F(inp), d.F(weight)
	d.run(N, 3*C, func(lo, hi int) {
		rmsNormRef(o[lo*C:hi*C], s[lo:hi], x[lo*C:hi*C], w, hi-lo, C, eps)
	})
}

// RMSNormBackward sums dweight by blocks of lnBlock rows, as LayerNormBackward.
func (d *Fast) RMSNormBackward(dinp, dweight, dout, inp, weight, rstd Tensor, N, C int) {
	dx, dw := d.opt(dinp), d.opt(dweight)
	g, x, w, s := d.F(dout), d.F(inp), d.F(weight), d.F(rstd)
	nb := (N + lnBlock - 1) / lnBlock
	var pw []float32
	if dw != nil {
		pw = make([]float32, nb*C)
	}
	d.run(nb, 5*C*lnBlock, func(b0, b1 int) {
		for k := b0; k < b1; k++ {
			lo, hi := k*lnBlock, min(N, (k+1)*lnBlock)
			var dxk, pwk []float32
			if dx != nil {
				dxk = dx[lo*C : hi*C]
			}
			if pw != nil {
				pwk = pw[k*C : (k+1)*C]
			}
			rmsNormBackwardRef(dxk, pwk, g[lo*C:hi*C], x[lo*C:hi*C], w, s[lo:hi], hi-lo, C)
		}
	})
	if dw == nil {
		return
	}
	d.run(C, nb, func(c0, c1 int) {
		for k := range nb {
			for j := c0; j < c1; j++ {
				dw[j] += pw[k*C+j]
			}
		}
	})
}

// RoPE and RoPEBackward split the token rows; row r is a batch of one
// token at position r%T.
func (d *Fast) RoPE(qkv, cos, sin Tensor, B, T, NH, KVH, HS int) {
	d.rope(qkv, cos, sin, B, T, NH, KVH, HS, 1)
}
func (d *Fast) RoPEBackward(dqkv, cos, sin Tensor, B, T, NH, KVH, HS int) {
	d.rope(dqkv, cos, sin, B, T, NH, KVH, HS, -1)
}

func (d *Fast) rope(qkv, cos, sin Tensor, B, T, NH, KVH, HS int, sign float32) {
	x, c, s := d.F(qkv), d.F(cos), d.F(sin)
	W, half := (NH+2*KVH)*HS, HS/2
	d.run(B*T, 3*(NH+KVH)*HS, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			t := r % T
			ropeRef(x[r*W:(r+1)*W], c[t*half:(t+1)*half], s[t*half:(t+1)*half], 1, 1, NH, KVH, HS, sign)
		}
	})
}

func (d *Fast) SwiGLU(out, gateUp Tensor, N, I int) {
	o, x := d.F(out), d.F(gateUp)
	d.run(N, transcendental*I, func(lo, hi int) { swiGLURef(o[lo*I:hi*I], x[2*lo*I:2*hi*I], hi-lo, I) })
}

func (d *Fast) SwiGLUBackward(dgateUp, gateUp, dout Tensor, N, I int) {
	dx, x, g := d.F(dgateUp), d.F(gateUp), d.F(dout)
	d.run(N, 2*transcendental*I, func(lo, hi int) {
		swiGLUBackwardRef(dx[2*lo*I:2*hi*I], x[2*lo*I:2*hi*I], g[lo*I:hi*I], hi-lo, I)
	})
}
