package tensor

import "math"

func layerNormRef(out, mean, rstd, inp, weight, bias []float32, N, C int, eps float32) {
	for i := 0; i < N; i++ {
		x := inp[i*C:][:C]
		var m float64
		for _, xv := range x {
			m += float64(xv)
		}
		m /= float64(C)
		var v float64
		for _, xv := range x {
			d := float64(xv) - m
			v += d * d
		}
		v /= float64(C)
		s := 1 / math.Sqrt(v+float64(eps))
		o := out[i*C:][:C]
		for j, xv := range x {
			o[j] = float32((float64(xv)-m)*s)*weight[j] + bias[j]
		}
		mean[i], rstd[i] = float32(m), float32(s)
	}
}

func layerNormBackwardRef(dinp, dweight, dbias, dout, inp, weight, mean, rstd []float32, N, C int) {
	for i := 0; i < N; i++ {
		g := dout[i*C:][:C]
		x := inp[i*C:][:C]
		m, s := mean[i], rstd[i]
		// Two reductions: mean of dnorm and mean of dnorm*norm.
		var dnormMean, dnormNormMean float32
		for j := range g {
			norm := (x[j] - m) * s
			dnorm := weight[j] * g[j]
			dnormMean += dnorm
			dnormNormMean += dnorm * norm
		}
		dnormMean /= float32(C)
		dnormNormMean /= float32(C)
		for j := range g {
			norm := (x[j] - m) * s
			if dbias != nil {
				dbias[j] += g[j]
			}
			if dweight != nil {
				dweight[j] += norm * g[j]
			}
			if dinp != nil {
				dnorm := weight[j] * g[j]
				dinp[i*C+j] += (dnorm - dnormMean - norm*dnormNormMean) * s
			}
		}
	}
}
