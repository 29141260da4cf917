package tensor

// matmulRef computes out[N,OC] = inp[N,C] @ weight[OC,C]^T + bias[OC].
func matmulRef(out, inp, weight, bias []float32, N, C, OC int) {
	for i := 0; i < N; i++ {
		x := inp[i*C:][:C]
		for o := 0; o < OC; o++ {
			w := weight[o*C:][:C]
			var s float32
			if bias != nil {
				s = bias[o]
			}
			for k := range x {
				s += x[k] * w[k]
			}
			out[i*OC+o] = s
		}
	}
}

// matmulBackwardRef accumulates the three gradients of matmulRef; nil
// outputs are skipped.
func matmulBackwardRef(dinp, dweight, dbias, dout, inp, weight []float32, N, C, OC int) {
	if dinp != nil {
		for i := 0; i < N; i++ {
			dx := dinp[i*C:][:C]
			for o := 0; o < OC; o++ {
				g := dout[i*OC+o]
				w := weight[o*C:][:C]
				for k := range dx {
					dx[k] += g * w[k]
				}
			}
		}
	}
	if dweight != nil {
		for o := 0; o < OC; o++ {
			dw := dweight[o*C:][:C]
			for i := 0; i < N; i++ {
				g := dout[i*OC+o]
				x := inp[i*C:][:C]
				for k := range dw {
					dw[k] += g * x[k]
				}
			}
		}
	}
	if dbias != nil {
		for i := 0; i < N; i++ {
			for o := 0; o < OC; o++ {
				dbias[o] += dout[i*OC+o]
			}
		}
	}
}
