package tensortest

import (
	"fmt"
	"strings"

	"prefixtune/core/tensor"
)

// dtypes16 are the 16-bit weight types every device must read.
var dtypes16 = []tensor.DType{tensor.F16, tensor.BF16}

// halfBits returns n bit patterns of type dt: signed zeros (1 in 16),
// subnormals (1 in 8) and normal values of magnitude 2^-8 to 2^4; never an
// infinity or a NaN.
func (e *env) halfBits(n int, dt tensor.DType) []uint16 {
	bias, fracBits := 15, 10
	if dt == tensor.BF16 {
		bias, fracBits = 127, 7
	}
	v := make([]uint16, n)
	for i := range v {
		sign := uint16(e.rng.IntN(2)) << 15
		frac := uint16(e.rng.IntN(1 << fracBits))
		exp := bias - 8 + e.rng.IntN(12)
		switch r := e.rng.IntN(16); {
		case r == 0:
			exp, frac = 0, 0
		case r < 3:
			exp = 0
		}
		v[i] = sign | uint16(exp)<<fracBits | frac
	}
	return v
}

// half places n 16-bit elements of type dt at a random slot offset 0..3
// inside a guarded region on both devices and fills them with halfBits.
// Weights are only read, so the guards are not checked: they hold a
// sentinel pattern that would show in an output read from them.
func (e *env) half(n int, dt tensor.DType) buf {
	skew := 2 * e.rng.IntN(4)
	full := make([]uint16, n+2*guard+skew+1)
	for i := range full {
		full[i] = 0x7bff // the largest finite F16 value, 1.7e38 in BF16
	}
	copy(full[guard+1+skew:], e.halfBits(n, dt))
	b := buf{n: n}
	b.rg, b.dg = e.ref.Alloc16(len(full), dt), e.dev.Alloc16(len(full), dt)
	e.ref.Upload16(b.rg, full)
	e.dev.Upload16(b.dg, full)
	b.r, b.d = b.rg.Slice(guard+1+skew, n), b.dg.Slice(guard+1+skew, n)
	return b
}

// upload16 uploads new values into the n elements of b from element off
// (even) on both devices.
func (e *env) upload16(b buf, off, n int) {
	v := e.halfBits(n, b.r.DType)
	e.ref.Upload16(b.r.Slice(off, n), v)
	e.dev.Upload16(b.d.Slice(off, n), v)
}

// weights16 checks Encoder, Matmul and MatmulBackward with F16 and BF16
// weights (wte, weight) against the reference, and that 16-bit tensors are
// refused where float32 is needed. Widening is exact, so Encoder must
// match the reference bit for bit.
func weights16(e *env) {
	for _, dt := range dtypes16 {
		for _, s := range []struct{ B, T, C, P, V int }{{1, 1, 1, 0, 3}, {2, 3, 5, 2, 7}, {3, 7, 67, 5, 11}, {1, 4, 1025, 3, 5}} {
			tok := e.ints(s.B*s.T, 0, s.V)
			wte, wpe := e.half(s.V*s.C, dt), e.normal((s.P+s.T+1)*s.C, 1)
			// A second upload into part of the table, of odd length when
			// V*C is: the element after it keeps its value.
			e.upload16(wte, 2, wte.n/2)
			out, noPos := e.normal(s.B*s.T*s.C, 1), e.normal(s.B*s.T*s.C, 1)
			e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
				d.Encoder(p(out), p(tok), p(wte), p(wpe), s.B, s.T, s.C, s.P)
				d.Encoder(p(noPos), p(tok), p(wte), tensor.Tensor{}, s.B, s.T, s.C, s.P)
			})
			e.check(caseName("Encoder %v %+v", dt, s), out, 0)
			e.check(caseName("Encoder %v without wpe %+v", dt, s), noPos, 0)
		}
		shapes := []struct{ N, C, OC int }{{1, 1, 1}, {1, 67, 1}, {1, 37, 45}, {5, 3, 7}, {4, 8, 8}, {13, 17, 19}, {67, 33, 9}, {3, 1025, 5}, {1, 64, 1025}, {33, 64, 67}, {13, 259, 21}}
		for i, s := range shapes {
			inp, w, bias := e.normal(s.N*s.C, 1), e.half(s.OC*s.C, dt), e.normal(s.OC, 1)
			out, dout := e.normal(s.N*s.OC, 1), e.normal(s.N*s.OC, 1)
			dinp, db := e.normal(s.N*s.C, 1), e.normal(s.OC, 1)
			e.both(func(d tensor.Device, p func(buf) tensor.Tensor) {
				b := p(bias)
				if i%3 == 0 {
					b = tensor.Tensor{}
				}
				d.Matmul(p(out), p(inp), p(w), b, s.N, s.C, s.OC)
				d.MatmulBackward(p(dinp), tensor.Tensor{}, p(db), p(dout), p(inp), p(w), s.N, s.C, s.OC)
			})
			e.check(caseName("Matmul %v %+v", dt, s), out, 1e-5)
			e.check(caseName("MatmulBackward %v dinp %+v", dt, s), dinp, 1e-5)
			e.check(caseName("MatmulBackward %v dbias %+v", dt, s), db, 1e-5)
		}
	}
	refused16(e)
}

// refused16 checks that the device panics, with a message naming the
// 16-bit type, when a 16-bit tensor is given where float32 is needed.
func refused16(e *env) {
	w, x := e.half(12, tensor.BF16), e.normal(12, 1)
	for name, f := range map[string]func(d tensor.Device){
		"Add":                    func(d tensor.Device) { d.Add(x.d, x.d, w.d, 12) },
		"Matmul inp":             func(d tensor.Device) { d.Matmul(x.d, w.d, x.d, tensor.Tensor{}, 1, 12, 1) },
		"MatmulBackward dweight": func(d tensor.Device) { d.MatmulBackward(x.d, x.d, tensor.Tensor{}, x.d, x.d, w.d, 1, 12, 1) },
		"Upload":                 func(d tensor.Device) { d.Upload(w.d, make([]float32, 12)) },
	} {
		msg := panicked(func() { f(e.dev) })
		if !strings.Contains(msg, "BF16") {
			e.t.Fatalf("%s: %s with a BF16 tensor: got panic %q, want one that names BF16", e.dev.Name(), name, msg)
		}
	}
}

// panicked runs f and returns its panic's message, or "" when it returns.
func panicked(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}
