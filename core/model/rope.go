package model

import (
	"math"

	"prefixtune/core/tensor"
)

// invFreq returns the rotary inverse frequencies of c, inv_freq [HS/2], as
// Hugging Face's rope init functions compute them (_compute_default,
// _compute_linear_scaling and _compute_llama3_parameters in
// modeling_rope_utils.py), in float64 and then rounded to float32, the type
// Hugging Face keeps them in.
func invFreq(c Config) []float32 {
	HS, s := c.HeadSize(), c.RopeScaling
	out := make([]float32, HS/2)
	for i := range out {
		f := 1 / math.Pow(c.RopeTheta, float64(2*i)/float64(HS))
		switch s.Type {
		case "linear":
			f /= s.Factor
		case "llama3":
			old := float64(s.OriginalMaxPositions)
			lowWavelen, highWavelen := old/s.LowFreqFactor, old/s.HighFreqFactor
			wavelen := 2 * math.Pi / f
			switch {
			case wavelen > lowWavelen: // low frequencies: scaled
				f /= s.Factor
			case wavelen >= highWavelen: // medium: interpolated between scaled and not
				smooth := (old/wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
				f = (1-smooth)*f/s.Factor + smooth*f
			}
		}
		out[i] = float32(f)
	}
	return out
}

// ropeTables returns cos and sin [NPositions, HS/2]: row p holds the
// cosines and sines of p * inv_freq, computed in float64 and rounded.
func ropeTables(c Config) (cos, sin []float32) {
	freq := invFreq(c)
	H := len(freq)
	cos, sin = make([]float32, c.NPositions*H), make([]float32, c.NPositions*H)
	for p := 0; p < c.NPositions; p++ {
		for i, f := range freq {
			a := float64(p) * float64(f)
			cos[p*H+i], sin[p*H+i] = float32(math.Cos(a)), float32(math.Sin(a))
		}
	}
	return cos, sin
}

// uploadRope puts the rotary tables of a Llama model on its device.
func (m *Model) uploadRope() {
	if !m.Config.Llama() {
		return
	}
	cos, sin := ropeTables(m.Config)
	m.cos, m.sin = m.Dev.Alloc(len(cos)), m.Dev.Alloc(len(sin))
	m.Dev.Upload(m.cos, cos)
	m.Dev.Upload(m.sin, sin)
}

// rope returns the rows of the rotary tables for positions P..P+T-1.
func (m *Model) rope(P, T int) (cos, sin tensor.Tensor) {
	H := m.Config.HeadSize() / 2
	return m.cos.Slice(P*H, T*H), m.sin.Slice(P*H, T*H)
}
