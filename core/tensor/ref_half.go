package tensor

// The reference loops of the ops that read 16-bit weights: the float32
// loops of ref_matmul.go and ref_elementwise.go with each weight element
// widened where it is read, so the float32 arithmetic is the same.

// matmulRef16 is matmulRef with a 16-bit weight [OC,C].
func matmulRef16(out, inp []float32, weight halfs, bias []float32, N, C, OC int) {
	for i := 0; i < N; i++ {
		x := inp[i*C:][:C]
		for o := 0; o < OC; o++ {
			var s float32
			if bias != nil {
				s = bias[o]
			}
			for k := range x {
				s += x[k] * weight.at(o*C+k)
			}
			out[i*OC+o] = s
		}
	}
}

// matmulBackwardDinpRef16 accumulates dinp[N,C] += dout[N,OC] @ weight[OC,C]
// as matmulBackwardRef does, with a 16-bit weight.
func matmulBackwardDinpRef16(dinp, dout []float32, weight halfs, N, C, OC int) {
	for i := 0; i < N; i++ {
		dx := dinp[i*C:][:C]
		for o := 0; o < OC; o++ {
			g := dout[i*OC+o]
			for k := range dx {
				dx[k] += g * weight.at(o*C+k)
			}
		}
	}
}

// encoderRef16 is encoderRef with a 16-bit wte [V,C]; wpe may be nil.
func encoderRef16(out []float32, tokens []int32, wte halfs, wpe []float32, B, T, C, P int) {
	for b := 0; b < B; b++ {
		for t := 0; t < T; t++ {
			o := out[(b*T+t)*C:][:C]
			wte.widenTo(o, int(tokens[b*T+t])*C)
			if wpe != nil {
				p := wpe[(P+t)*C:][:C]
				for i := range o {
					o[i] += p[i]
				}
			}
		}
	}
}
