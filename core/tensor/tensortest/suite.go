package tensortest

import (
	"testing"

	"prefixtune/core/tensor"
)

// Run checks every op of the device made by newDevice against the
// reference device.
func Run(t *testing.T, newDevice func() tensor.Device) {
	ops := []struct {
		name string
		run  func(e *env)
	}{
		{"Elementwise", elementwise},
		{"AdamW", adamW},
		{"Encoder", encoder},
		{"LayerNorm", layerNorm},
		{"Matmul", matmul},
		{"Weights16", weights16},
		{"RMSNorm", rmsNorm},
		{"RoPE", rope},
		{"SwiGLU", swiGLU},
		{"Attention", attention},
		{"CrossEntropy", crossEntropy},
		{"Release", release},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) { op.run(newEnv(t, newDevice())) })
	}
}

// both runs f on the reference and on the device under test.
func (e *env) both(f func(d tensor.Device, pick func(buf) tensor.Tensor)) {
	f(e.ref, func(b buf) tensor.Tensor { return b.r })
	f(e.dev, func(b buf) tensor.Tensor { return b.d })
}

func elementwise(e *env) {
	for _, n := range sizes() {
		a, b, g := e.normal(n, 1), e.normal(n, 1), e.normal(n, 1)
		sum, gel, th, dga, dth, ss := e.normal(n, 1), e.normal(n, 1), e.normal(n, 1), e.normal(n, 1), e.normal(n, 1), e.normal(1, 1)
		cp, sc, zr := e.normal(n, 1), e.normal(n, 1), e.normal(n, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			d.Add(p(sum), p(a), p(b), n)
			d.GELU(p(gel), p(a), n)
			d.GELUBackward(p(dga), p(a), p(g), n)
			d.Tanh(p(th), p(a), n)
			d.TanhBackward(p(dth), p(th), p(g), n)
			d.SumSquares(p(ss), p(a), n)
			d.Copy(p(cp), p(b))
			d.Scale(p(sc), 0.37, n)
			d.Zero(p(zr))
		})
		for name, b := range map[string]buf{"Add": sum, "GELU": gel, "GELUBackward": dga, "Tanh": th,
			"TanhBackward": dth, "SumSquares": ss, "Copy": cp, "Scale": sc, "Zero": zr} {
			e.check(caseName("%s n=%d", name, n), b, 1e-5)
		}
	}
}

func adamW(e *env) {
	for _, n := range sizes() {
		p, g, m, v := e.normal(n, 1), e.normal(n, 1), e.normal(n, 0.1), e.alloc(make([]float32, n))
		for step := 1; step <= 3; step++ {
			e.both(func(d tensor.Device, pk func(buf) tensor.Tensor) {
				d.AdamW(pk(p), pk(g), pk(m), pk(v), n, 0.01, 0.9, 0.999, 1e-8, 0.01, step)
			})
		}
		e.check(caseName("AdamW params n=%d", n), p, 1e-5)
		e.check(caseName("AdamW m n=%d", n), m, 1e-5)
		e.check(caseName("AdamW v n=%d", n), v, 1e-5)
	}
}

func encoder(e *env) {
	for _, s := range []struct{ B, T, C, P, V int }{{1, 1, 1, 0, 3}, {2, 3, 5, 2, 7}, {3, 7, 67, 5, 11}, {1, 4, 1025, 3, 5}} {
		tok := e.ints(s.B*s.T, 0, s.V)
		wte, wpe := e.normal(s.V*s.C, 1), e.normal((s.P+s.T+1)*s.C, 1)
		out, dout := e.normal(s.B*s.T*s.C, 1), e.normal(s.B*s.T*s.C, 1)
		dwte, dwpe := e.normal(wte.n, 1), e.normal(wpe.n, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			d.Encoder(p(out), p(tok), p(wte), p(wpe), s.B, s.T, s.C, s.P)
			d.EncoderBackward(p(dwte), p(dwpe), p(dout), p(tok), s.B, s.T, s.C, s.P)
		})
		e.check(caseName("Encoder %+v", s), out, 1e-6)
		e.check(caseName("EncoderBackward dwte %+v", s), dwte, 1e-6)
		e.check(caseName("EncoderBackward dwpe %+v", s), dwpe, 1e-6)
	}
}

func layerNorm(e *env) {
	for _, s := range []struct{ N, C int }{{1, 1}, {1, 2}, {3, 5}, {7, 67}, {2, 1025}, {67, 13}} {
		inp, w, bias := e.normal(s.N*s.C, 2), e.normal(s.C, 1), e.normal(s.C, 1)
		out, mean, rstd := e.normal(s.N*s.C, 1), e.normal(s.N, 1), e.normal(s.N, 1)
		dout, dinp, dw, db := e.normal(s.N*s.C, 1), e.normal(s.N*s.C, 1), e.normal(s.C, 1), e.normal(s.C, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			d.LayerNorm(p(out), p(mean), p(rstd), p(inp), p(w), p(bias), s.N, s.C, 1e-5)
			d.LayerNormBackward(p(dinp), p(dw), p(db), p(dout), p(inp), p(w), p(mean), p(rstd), s.N, s.C)
		})
		e.check(caseName("LayerNorm out %+v", s), out, 1e-5)
		e.check(caseName("LayerNorm mean %+v", s), mean, 1e-5)
		e.check(caseName("LayerNorm rstd %+v", s), rstd, 1e-4)
		e.check(caseName("LayerNormBackward dinp %+v", s), dinp, 1e-4)
		e.check(caseName("LayerNormBackward dweight %+v", s), dw, 1e-4)
		e.check(caseName("LayerNormBackward dbias %+v", s), db, 1e-4)
	}
}

func matmul(e *env) {
	shapes := []struct{ N, C, OC int }{{1, 1, 1}, {1, 67, 1}, {5, 3, 7}, {4, 8, 8}, {13, 17, 19}, {67, 33, 9}, {3, 1025, 5}, {1, 64, 1025}, {33, 64, 67}}
	for i, s := range shapes {
		bias := e.normal(s.OC, 1)
		absentBias := i%3 == 0
		inp, w := e.normal(s.N*s.C, 1), e.normal(s.OC*s.C, 1)
		out, dout := e.normal(s.N*s.OC, 1), e.normal(s.N*s.OC, 1)
		dinp, dw, db := e.normal(s.N*s.C, 1), e.normal(s.OC*s.C, 1), e.normal(s.OC, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			b := p(bias)
			if absentBias {
				b = tensor.Tensor{}
			}
			d.Matmul(p(out), p(inp), p(w), b, s.N, s.C, s.OC)
			d.MatmulBackward(p(dinp), p(dw), p(db), p(dout), p(inp), p(w), s.N, s.C, s.OC)
		})
		e.check(caseName("Matmul %+v", s), out, 1e-5)
		e.check(caseName("MatmulBackward dinp %+v", s), dinp, 1e-5)
		e.check(caseName("MatmulBackward dweight %+v", s), dw, 1e-5)
		e.check(caseName("MatmulBackward dbias %+v", s), db, 1e-5)
		// Only the input gradient, as prefix-tuning asks.
		dinp2 := e.normal(s.N*s.C, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			d.MatmulBackward(p(dinp2), tensor.Tensor{}, tensor.Tensor{}, p(dout), p(inp), p(w), s.N, s.C, s.OC)
		})
		e.check(caseName("MatmulBackward dinp only %+v", s), dinp2, 1e-5)
	}
}

// attention tries grouped-query heads (KVH in {1, 2, NH}), odd head sizes,
// P in {0, 1, 5}, past rows strided inside a PEFT-style prefix row, padded
// masks, and each gradient output left out in turn.
func attention(e *env) {
	shapes := []struct{ B, T, NH, KVH, HS, P int }{
		{1, 1, 1, 1, 1, 0}, {1, 1, 1, 1, 4, 1}, {2, 5, 3, 1, 5, 0}, {2, 7, 3, 3, 4, 5}, {3, 13, 4, 2, 5, 1},
		{3, 13, 4, 1, 3, 5}, {2, 6, 4, 4, 5, 0}, {1, 67, 6, 2, 2, 5}, {2, 9, 6, 6, 7, 1}, {1, 17, 6, 1, 8, 5},
		{2, 9, 1, 1, 67, 5}, {2, 5, 6, 3, 9, 1},
	}
	for i, s := range shapes {
		W, KV := (s.NH+2*s.KVH)*s.HS, s.KVH*s.HS
		S := 2 * 3 * KV // a prefix row holds 3 layers of keys and values
		qkv := e.normal(s.B*s.T*W, 1)
		past := e.normal(max(1, s.P)*S, 1)
		// Keys and values of layer 1 inside a PEFT-style prefix row.
		pk, pv := past.sub(2*KV, past.n-2*KV), past.sub(3*KV, past.n-3*KV)
		valid := make([]float32, s.B*s.T)
		for i := range valid {
			valid[i] = 1
		}
		if s.T > 2 { // right padding in batch 0, left padding in the last batch
			valid[s.T-1] = 0
			valid[(s.B-1)*s.T] = 0
		}
		vb := e.alloc(valid)
		out, att := e.normal(s.B*s.T*s.NH*s.HS, 1), e.normal(s.B*s.NH*s.T*(s.P+s.T), 1)
		dout, dqkv, datt := e.normal(out.n, 1), e.normal(qkv.n, 1), e.normal(att.n, 1)
		dpast := e.normal(past.n, 1)
		dk, dv := dpast.sub(2*KV, past.n-2*KV), dpast.sub(3*KV, past.n-3*KV)
		noQKV, noPast := i%3 == 1, i%3 == 2 // each gradient left out in turn
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			gq, gk, gv := p(dqkv), p(dk), p(dv)
			if noQKV {
				gq = tensor.Tensor{}
			}
			if noPast {
				gk, gv = tensor.Tensor{}, tensor.Tensor{}
			}
			d.Attention(p(out), p(att), p(qkv), p(pk), p(pv), p(vb), s.B, s.T, s.NH, s.KVH, s.HS, s.P, S)
			d.AttentionBackward(gq, gk, gv, p(datt), p(dout), p(qkv), p(pk), p(pv), p(att), s.B, s.T, s.NH, s.KVH, s.HS, s.P, S)
		})
		e.check(caseName("Attention out %+v", s), out, 1e-5)
		e.check(caseName("Attention att %+v", s), att, 1e-5)
		e.check(caseName("AttentionBackward dqkv %+v (absent %v)", s, noQKV), dqkv, 1e-4)
		e.check(caseName("AttentionBackward dpast %+v (absent %v)", s, noPast), dpast, 1e-4)
	}
}

func rmsNorm(e *env) {
	for i, s := range []struct{ N, C int }{{1, 1}, {1, 2}, {3, 5}, {7, 67}, {2, 1025}, {67, 13}, {5, 7}} {
		inp, w := e.normal(s.N*s.C, 2), e.normal(s.C, 1)
		out, rstd := e.normal(s.N*s.C, 1), e.normal(s.N, 1)
		dout, dinp, dw := e.normal(s.N*s.C, 1), e.normal(s.N*s.C, 1), e.normal(s.C, 1)
		noDweight := i%2 == 1
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			gw := p(dw)
			if noDweight {
				gw = tensor.Tensor{}
			}
			d.RMSNorm(p(out), p(rstd), p(inp), p(w), s.N, s.C, 1e-5)
			d.RMSNormBackward(p(dinp), gw, p(dout), p(inp), p(w), p(rstd), s.N, s.C)
		})
		e.check(caseName("RMSNorm out %+v", s), out, 1e-5)
		e.check(caseName("RMSNorm rstd %+v", s), rstd, 1e-5)
		e.check(caseName("RMSNormBackward dinp %+v", s), dinp, 1e-4)
		e.check(caseName("RMSNormBackward dweight %+v (absent %v)", s, noDweight), dw, 1e-4)
	}
	// Only the weight gradient.
	inp, w, rstd, dout := e.normal(3*9, 1), e.normal(9, 1), e.normal(3, 1), e.normal(3*9, 1)
	dw := e.normal(9, 1)
	e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
		d.RMSNormBackward(tensor.Tensor{}, p(dw), p(dout), p(inp), p(w), p(rstd), 3, 9)
	})
	e.check("RMSNormBackward dweight only", dw, 1e-4)
}

func rope(e *env) {
	shapes := []struct{ B, T, NH, KVH, HS int }{
		{1, 1, 1, 1, 2}, {2, 3, 3, 1, 6}, {2, 5, 4, 2, 10}, {1, 7, 6, 6, 8}, {3, 4, 3, 3, 18}, {1, 67, 4, 1, 2}, {2, 3, 1, 1, 130},
	}
	for _, s := range shapes {
		W, half := (s.NH+2*s.KVH)*s.HS, s.HS/2
		qkv, dqkv := e.normal(s.B*s.T*W, 1), e.normal(s.B*s.T*W, 1)
		// The tables of positions P.. are rows of a longer table.
		const P = 3
		cos, sin := e.normal((P+s.T)*half, 1), e.normal((P+s.T)*half, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			c, sn := p(cos.sub(P*half, s.T*half)), p(sin.sub(P*half, s.T*half))
			d.RoPE(p(qkv), c, sn, s.B, s.T, s.NH, s.KVH, s.HS)
			d.RoPEBackward(p(dqkv), c, sn, s.B, s.T, s.NH, s.KVH, s.HS)
		})
		e.check(caseName("RoPE %+v", s), qkv, 1e-6)
		e.check(caseName("RoPEBackward %+v", s), dqkv, 1e-6)
	}
}

func swiGLU(e *env) {
	for _, s := range []struct {
		N, I int
		std  float64
	}{{1, 1, 3}, {1, 2, 3}, {3, 5, 3}, {7, 67, 3}, {2, 1025, 3}, {67, 13, 3}, {4, 33, 40}} {
		gateUp := e.normal(s.N*2*s.I, s.std)
		out, dout, dgu := e.normal(s.N*s.I, 1), e.normal(s.N*s.I, 1), e.normal(s.N*2*s.I, 1)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			d.SwiGLU(p(out), p(gateUp), s.N, s.I)
			d.SwiGLUBackward(p(dgu), p(gateUp), p(dout), s.N, s.I)
		})
		e.check(caseName("SwiGLU %+v", s), out, 1e-5)
		e.check(caseName("SwiGLUBackward %+v", s), dgu, 1e-5)
	}
}

func crossEntropy(e *env) {
	for _, s := range []struct{ N, V int }{{1, 1}, {1, 2}, {3, 5}, {7, 67}, {5, 1025}, {67, 3}} {
		logits := e.normal(s.N*s.V, 3)
		tv := make([]int32, s.N)
		for i := range tv {
			tv[i] = int32(e.rng.IntN(s.V))
			if i%4 == 3 {
				tv[i] = -1
			}
		}
		tf := make([]float32, s.N)
		for i, x := range tv {
			tf[i] = float32frombits(x)
		}
		targets := e.alloc(tf)
		losses, dl := e.normal(s.N, 1), e.normal(s.N, 1)
		dlogits := e.normal(s.N*s.V, 1)
		inplace := e.normal(s.N*s.V, 3)
		e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
			d.CrossEntropy(p(losses), p(logits), p(targets), s.N, s.V)
			d.CrossEntropyBackward(p(dlogits), p(logits), p(targets), p(dl), s.N, s.V)
			d.CrossEntropyBackward(p(inplace), p(inplace), p(targets), p(dl), s.N, s.V)
		})
		e.check(caseName("CrossEntropy %+v", s), losses, 1e-5)
		e.check(caseName("CrossEntropyBackward %+v", s), dlogits, 1e-5)
		e.check(caseName("CrossEntropyBackward in place %+v", s), inplace, 1e-5)
	}
}

// release checks that memory handed back by Release is zeroed when it is
// allocated again.
func release(e *env) {
	mark := e.dev.Mark()
	t := e.dev.Alloc(37)
	v := make([]float32, 37)
	for i := range v {
		v[i] = float32(i + 1)
	}
	e.dev.Upload(t, v)
	e.dev.Release(mark)
	if e.dev.Mark() != mark {
		e.t.Fatalf("%s: Mark after Release is %d, want %d", e.dev.Name(), e.dev.Mark(), mark)
	}
	again := e.dev.Alloc(37)
	got := make([]float32, 37)
	e.dev.Download(got, again)
	for i, x := range got {
		if x != 0 {
			e.t.Fatalf("%s: slot %d of a re-allocated tensor is %g, want 0", e.dev.Name(), i, x)
		}
	}
}
