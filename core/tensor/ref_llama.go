package tensor

import (
	"fmt"
	"math"
)

// The ops of Llama-family models: RMSNorm, rotary position embeddings and
// the SwiGLU gate.

// rmsNormRef: out, inp [N,C]; rstd [N]; weight [C]. The mean of squares is
// summed in float64, as layerNormRef's statistics.
func rmsNormRef(out, rstd, inp, weight []float32, N, C int, eps float32) {
	for n := 0; n < N; n++ {
		x := inp[n*C:][:C]
		var ss float64
		for _, xv := range x {
			ss += float64(xv) * float64(xv)
		}
		s := float32(1 / math.Sqrt(ss/float64(C)+float64(eps)))
		o := out[n*C:][:C]
		for c, xv := range x {
			o[c] = xv * s * weight[c]
		}
		rstd[n] = s
	}
}

// rmsNormBackwardRef: with norm = inp*rstd and dnorm = weight*dout,
// dinp += rstd * (dnorm - norm * mean(dnorm*norm)), dweight += norm*dout.
// dinp or dweight may be nil.
func rmsNormBackwardRef(dinp, dweight, dout, inp, weight, rstd []float32, N, C int) {
	for n := 0; n < N; n++ {
		g := dout[n*C:][:C]
		x := inp[n*C:][:C]
		s := rstd[n]
		var dnormNormMean float32
		for c := range g {
			dnormNormMean += weight[c] * g[c] * (x[c] * s)
		}
		dnormNormMean /= float32(C)
		for c := range g {
			norm := x[c] * s
			if dweight != nil {
				dweight[c] += norm * g[c]
			}
			if dinp != nil {
				dinp[n*C+c] += (weight[c]*g[c] - norm*dnormNormMean) * s
			}
		}
	}
}

// ropeRef rotates heads [0,NH+KVH) of every row of qkv [B*T, (NH+2*KVH)*HS]
// in place; cos, sin [T,HS/2]. sign = 1 is RoPE, sign = -1 the transpose
// rotation of RoPEBackward.
func ropeRef(qkv, cos, sin []float32, B, T, NH, KVH, HS int, sign float32) {
	if HS%2 != 0 {
		panic(fmt.Sprintf("tensor: RoPE: head size %d is odd; rotary embeddings pair dimensions i and i+HS/2", HS))
	}
	half := HS / 2
	W := (NH + 2*KVH) * HS
	for r := 0; r < B*T; r++ {
		c := cos[(r%T)*half:][:half]
		s := sin[(r%T)*half:][:half]
		for h := 0; h < NH+KVH; h++ {
			x := qkv[r*W+h*HS:][:HS]
			for i := 0; i < half; i++ {
				x0, x1 := x[i], x[i+half]
				sn := sign * s[i]
				x[i] = x0*c[i] - x1*sn
				x[i+half] = x1*c[i] + x0*sn
			}
		}
	}
}

// silu returns silu(g) = g*sigmoid(g) and sigmoid(g), in float64.
func silu(g float32) (float64, float64) {
	sig := 1 / (1 + math.Exp(-float64(g)))
	return float64(g) * sig, sig
}

// swiGLURef: out [N,I] = silu(gate) * up, gateUp [N,2I] = [gate | up].
func swiGLURef(out, gateUp []float32, N, I int) {
	for n := 0; n < N; n++ {
		gate, up := gateUp[n*2*I:][:I], gateUp[n*2*I+I:][:I]
		o := out[n*I:][:I]
		for i := range o {
			s, _ := silu(gate[i])
			o[i] = float32(s) * up[i]
		}
	}
}

// swiGLUBackwardRef accumulates dgateUp [N,2I]: dgate += dout * up *
// silu'(gate), dup += dout * silu(gate), silu'(g) = sig(g) (1 + g (1 - sig(g))).
func swiGLUBackwardRef(dgateUp, gateUp, dout []float32, N, I int) {
	for n := 0; n < N; n++ {
		gate, up := gateUp[n*2*I:][:I], gateUp[n*2*I+I:][:I]
		dgate, dup := dgateUp[n*2*I:][:I], dgateUp[n*2*I+I:][:I]
		g := dout[n*I:][:I]
		for i := range g {
			s, sig := silu(gate[i])
			dsilu := float32(sig * (1 + float64(gate[i])*(1-sig)))
			dgate[i] += g[i] * up[i] * dsilu
			dup[i] += g[i] * float32(s)
		}
	}
}
