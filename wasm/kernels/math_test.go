//go:build linux || darwin

package kernels

import (
	"math"
	"testing"
)

// TestTranscendentals measures the kernels' tanh, GELU and GELU' against
// float64 on a dense grid: the error relative to max(|want|, floor). GELU'
// has a root near x = -0.75 where only its absolute error means anything.
func TestTranscendentals(t *testing.T) {
	const n = 200001
	xs := make([]float32, n)
	for i := range xs {
		xs[i] = float32(-20 + 40*float64(i)/(n-1))
	}
	d := newTestDevice(t, 1)
	in, out, grad, ones := d.Alloc(n), d.Alloc(n), d.Alloc(n), d.Alloc(n)
	d.Upload(in, xs)
	one := make([]float32, n)
	for i := range one {
		one[i] = 1
	}
	d.Upload(ones, one)
	got := make([]float32, n)
	for _, c := range []struct {
		name       string
		run        func()
		ref        func(x float64) float64
		floor, tol float64
	}{
		{"tanh", func() { d.Tanh(out, in, n) }, math.Tanh, 1e-30, 3e-7},
		{"gelu", func() { d.GELU(out, in, n) }, func(x float64) float64 {
			s, _ := sigmoid2u(x)
			return x * s
		}, 1e-30, 1e-6},
		{"gelu'", func() { d.Zero(grad); d.GELUBackward(grad, in, ones, n); d.Copy(out, grad) }, func(x float64) float64 {
			s, oms := sigmoid2u(x)
			return s + 2*x*s*oms*geluScale*(1+3*0.044715*x*x)
		}, 1, 1e-6},
	} {
		c.run()
		d.Download(got, out)
		var worst, at float64
		for i, x := range xs {
			want := c.ref(float64(x))
			if e := math.Abs(float64(got[i])-want) / max(math.Abs(want), c.floor); e > worst {
				worst, at = e, float64(x)
			}
		}
		t.Logf("%s: max error (relative above %g) %.3g at x=%.6g", c.name, c.floor, worst, at)
		if worst > c.tol {
			t.Errorf("%s: relative error %.3g at x=%g exceeds %.3g", c.name, worst, at, c.tol)
		}
	}
}

const geluScale = 0.7978845608028654

// sigmoid2u returns s = sigmoid(2u) and 1-s for GELU's u(x), in float64
// without the cancellation of 0.5*(1 + tanh u) for negative x.
func sigmoid2u(x float64) (s, oneMinusS float64) {
	e := math.Exp(-2 * geluScale * (x + 0.044715*x*x*x))
	s = 1 / (1 + e)
	if math.IsInf(e, 1) {
		return 0, 1
	}
	return s, e * s
}

// TestExp measures the kernels' exp through a softmax over the two logits
// (0, x), x in [-87, 0]: the second probability is e^x / (1 + e^x).
func TestExp(t *testing.T) {
	const n = 100001
	logits := make([]float32, 2*n)
	targets := make([]int32, n)
	dl := make([]float32, n)
	for i := range n {
		logits[2*i+1] = float32(-87 * float64(i) / (n - 1))
		dl[i] = 1
	}
	d := newTestDevice(t, 1)
	lt, tt, dt, out := d.Alloc(2*n), d.Alloc(n), d.Alloc(n), d.Alloc(2*n)
	d.Upload(lt, logits)
	d.UploadInt32(tt, targets)
	d.Upload(dt, dl)
	d.CrossEntropyBackward(out, lt, tt, dt, n, 2)
	got := make([]float32, 2*n)
	d.Download(got, out)
	var worst, at float64
	for i := range n {
		x := float64(logits[2*i+1])
		want := math.Exp(x) / (1 + math.Exp(x))
		if e := math.Abs(float64(got[2*i+1])-want) / want; e > worst {
			worst, at = e, x
		}
	}
	t.Logf("exp: max relative error %.3g at x=%.6g", worst, at)
	if worst > 4e-7 {
		t.Errorf("exp: relative error %.3g at x=%g exceeds 4e-7", worst, at)
	}
}

// TestSiLU measures the kernels' silu and silu' (through SwiGLU with up = 1
// and SwiGLUBackward with dout = 1) against float64 on a dense grid. silu'
// has a root near g = -1.28 where only its absolute error means anything.
func TestSiLU(t *testing.T) {
	const n = 200001
	gu := make([]float32, 2*n) // one row: gates, then ups
	for i := range n {
		gu[i] = float32(-30 + 60*float64(i)/(n-1))
		gu[n+i] = 1
	}
	d := newTestDevice(t, 1)
	in, out, dgu := d.Alloc(2*n), d.Alloc(n), d.Alloc(2*n)
	d.Upload(in, gu)
	d.SwiGLU(out, in, 1, n)
	silu := make([]float32, n)
	d.Download(silu, out)
	d.SwiGLUBackward(dgu, in, in.Slice(n, n), 1, n)
	grads := make([]float32, 2*n)
	d.Download(grads, dgu)
	for _, c := range []struct {
		name       string
		got        []float32
		ref        func(g float64) float64
		floor, tol float64
	}{
		{"silu", silu, func(g float64) float64 { return g / (1 + math.Exp(-g)) }, 1e-30, 4e-7},
		{"silu'", grads[:n], func(g float64) float64 {
			s := 1 / (1 + math.Exp(-g))
			return s * (1 + g*(1-s))
		}, 1, 4e-7},
		{"dup = silu", grads[n:], func(g float64) float64 { return g / (1 + math.Exp(-g)) }, 1e-30, 4e-7},
	} {
		var worst, at float64
		for i, g := range gu[:n] {
			want := c.ref(float64(g))
			if e := math.Abs(float64(c.got[i])-want) / max(math.Abs(want), c.floor); e > worst {
				worst, at = e, float64(g)
			}
		}
		t.Logf("%s: max error (relative above %g) %.3g at g=%.6g", c.name, c.floor, worst, at)
		if worst > c.tol {
			t.Errorf("%s: relative error %.3g at g=%g exceeds %.3g", c.name, worst, at, c.tol)
		}
	}
}
