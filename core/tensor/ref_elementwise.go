package tensor

import "math"

func addRef(out, a, b []float32, n int) {
	for i := 0; i < n; i++ {
		out[i] = a[i] + b[i]
	}
}

func scaleRef(x []float32, s float32, n int) {
	for i := 0; i < n; i++ {
		x[i] *= s
	}
}

// sumSquaresRef accumulates in float64 so the result does not depend on
// the order in which a device sums.
func sumSquaresRef(x []float32, n int) float32 {
	var s float64
	for i := 0; i < n; i++ {
		s += float64(x[i]) * float64(x[i])
	}
	return float32(s)
}

// geluScale is sqrt(2/pi).
const geluScale = 0.7978845608028654

func geluRef(out, inp []float32, n int) {
	for i := 0; i < n; i++ {
		x := float64(inp[i])
		out[i] = float32(0.5 * x * (1 + math.Tanh(geluScale*(x+0.044715*x*x*x))))
	}
}

func geluBackwardRef(dinp, inp, dout []float32, n int) {
	for i := 0; i < n; i++ {
		x := float64(inp[i])
		u := geluScale * (x + 0.044715*x*x*x)
		th := math.Tanh(u)
		sech2 := 1 - th*th
		g := 0.5*(1+th) + 0.5*x*sech2*geluScale*(1+3*0.044715*x*x)
		dinp[i] += float32(g * float64(dout[i]))
	}
}

func tanhRef(out, inp []float32, n int) {
	for i := 0; i < n; i++ {
		out[i] = float32(math.Tanh(float64(inp[i])))
	}
}

func tanhBackwardRef(dinp, out, dout []float32, n int) {
	for i := 0; i < n; i++ {
		dinp[i] += (1 - out[i]*out[i]) * dout[i]
	}
}

func encoderRef(out []float32, tokens []int32, wte, wpe []float32, B, T, C, P int) {
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			o := out[(b*T+t)*C:][:C]
			e := wte[int(tokens[b*T+t])*C:][:C]
			if wpe == nil { // no position embedding
				copy(o, e)
				continue
			}
			p := wpe[(P+t)*C:][:C]
			for i := range o {
				o[i] = e[i] + p[i]
			}
		}
	}
}

func encoderBackwardRef(dwte, dwpe, dout []float32, tokens []int32, B, T, C, P int) {
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			g := dout[(b*T+t)*C:][:C]
			if dwte != nil {
				e := dwte[int(tokens[b*T+t])*C:][:C]
				for i := range g {
					e[i] += g[i]
				}
			}
			if dwpe != nil {
				p := dwpe[(P+t)*C:][:C]
				for i := range g {
					p[i] += g[i]
				}
			}
		}
	}
}

// adamWRef follows torch.optim.AdamW (foreach=False) operation by operation.
func adamWRef(params, grads, m, v []float32, n int, lr, beta1, beta2, eps, wd float32, t int) {
	bc1 := 1 - math.Pow(float64(beta1), float64(t))
	bc2 := 1 - math.Pow(float64(beta2), float64(t))
	stepSize := float32(float64(lr) / bc1)
	bc2Sqrt := float32(math.Sqrt(bc2))
	for i := 0; i < n; i++ {
		p := params[i] * (1 - lr*wd)
		g := grads[i]
		m[i] = beta1*m[i] + (1-beta1)*g
		v[i] = beta2*v[i] + (1-beta2)*g*g
		denom := float32(math.Sqrt(float64(v[i])))/bc2Sqrt + eps
		params[i] = p - stepSize*m[i]/denom
	}
}
