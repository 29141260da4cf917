package tensor_test

import (
	"math/rand/v2"
	"testing"

	"prefixtune/core/tensor"
)

// Benchmarks run every op on the reference device (cpu), the fast device on
// one thread (fast1) and on GOMAXPROCS threads (fast) at GPT-2 small sizes;
// compare the sub-benchmarks of one run:
//
//	go test -run '^$' -bench . -benchtime 5x ./core/tensor/

const (
	benchB, benchT, benchC, benchNH, benchP = 4, 128, 768, 12, 10
	benchN                                  = benchB * benchT
	benchS                                  = 12 * 2 * benchC // a PEFT prefix row of 12 layers
)

// benchDevices runs bench on both devices with the same random inputs;
// flops (0 if not meaningful) is the work of one op, reported as GFLOP/s.
func benchDevices(b *testing.B, flops float64, bench func(b *testing.B, d tensor.Device, r *rand.Rand) func()) {
	devs := map[string]tensor.Device{"cpu": tensor.NewCPU(), "fast1": tensor.NewFast(1), "fast": tensor.NewFast(0)}
	for _, name := range []string{"cpu", "fast1", "fast"} {
		d := devs[name]
		b.Run(name, func(b *testing.B) {
			op := bench(b, d, rand.New(rand.NewPCG(7, 8)))
			for b.Loop() {
				op()
			}
			if flops > 0 {
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			}
		})
	}
}

func BenchmarkMatmul(b *testing.B) {
	const N, C, OC = 512, 768, 768
	benchDevices(b, 2*N*C*OC, func(b *testing.B, d tensor.Device, r *rand.Rand) func() {
		inp, w, bias, out := normal(d, r, N*C), normal(d, r, OC*C), normal(d, r, OC), d.Alloc(N*OC)
		return func() { d.Matmul(out, inp, w, bias, N, C, OC) }
	})
}

func BenchmarkMatmulBackward(b *testing.B) {
	const N, C, OC = 512, 768, 768
	benchDevices(b, 4*N*C*OC, func(b *testing.B, d tensor.Device, r *rand.Rand) func() {
		inp, w, dout := normal(d, r, N*C), normal(d, r, OC*C), normal(d, r, N*OC)
		dinp, dw, db := d.Alloc(N*C), d.Alloc(OC*C), d.Alloc(OC)
		return func() { d.MatmulBackward(dinp, dw, db, dout, inp, w, N, C, OC) }
	})
}

func BenchmarkLayerNorm(b *testing.B) {
	benchDevices(b, 0, func(b *testing.B, d tensor.Device, r *rand.Rand) func() {
		inp, w, bias := normal(d, r, benchN*benchC), normal(d, r, benchC), normal(d, r, benchC)
		out, mean, rstd := d.Alloc(benchN*benchC), d.Alloc(benchN), d.Alloc(benchN)
		return func() { d.LayerNorm(out, mean, rstd, inp, w, bias, benchN, benchC, 1e-5) }
	})
}

func BenchmarkLayerNormBackward(b *testing.B) {
	benchDevices(b, 0, func(b *testing.B, d tensor.Device, r *rand.Rand) func() {
		inp, w, bias, dout := normal(d, r, benchN*benchC), normal(d, r, benchC), normal(d, r, benchC), normal(d, r, benchN*benchC)
		out, mean, rstd := d.Alloc(benchN*benchC), d.Alloc(benchN), d.Alloc(benchN)
		dinp, dw, db := d.Alloc(benchN*benchC), d.Alloc(benchC), d.Alloc(benchC)
		d.LayerNorm(out, mean, rstd, inp, w, bias, benchN, benchC, 1e-5)
		return func() { d.LayerNormBackward(dinp, dw, db, dout, inp, w, mean, rstd, benchN, benchC) }
	})
}

// attentionBench allocates attention inputs and outputs and runs forward once.
func attentionBench(d tensor.Device, r *rand.Rand) (fwd func(), bwd func()) {
	const L = benchP + benchT
	qkv, past, dout := normal(d, r, benchN*3*benchC), normal(d, r, benchP*benchS), normal(d, r, benchN*benchC)
	valid := d.Alloc(benchN)
	ones := make([]float32, benchN)
	for i := range ones {
		ones[i] = 1
	}
	d.Upload(valid, ones)
	out, att, datt := d.Alloc(benchN*benchC), d.Alloc(benchB*benchNH*benchT*L), d.Alloc(benchB*benchNH*benchT*L)
	dqkv, dpast := d.Alloc(benchN*3*benchC), d.Alloc(benchP*benchS)
	pk, pv := past.Slice(0, past.Len), past.Slice(benchC, past.Len-benchC)
	dk, dv := dpast.Slice(0, past.Len), dpast.Slice(benchC, past.Len-benchC)
	fwd = func() {
		d.Attention(out, att, qkv, pk, pv, valid, benchB, benchT, benchNH, benchNH, benchC/benchNH, benchP, benchS)
	}
	bwd = func() {
		d.AttentionBackward(dqkv, dk, dv, datt, dout, qkv, pk, pv, att, benchB, benchT, benchNH, benchNH, benchC/benchNH, benchP, benchS)
	}
	fwd()
	return fwd, bwd
}

func BenchmarkAttention(b *testing.B) {
	benchDevices(b, 0, func(b *testing.B, d tensor.Device, r *rand.Rand) func() {
		fwd, _ := attentionBench(d, r)
		return fwd
	})
}

func BenchmarkAttentionBackward(b *testing.B) {
	benchDevices(b, 0, func(b *testing.B, d tensor.Device, r *rand.Rand) func() {
		_, bwd := attentionBench(d, r)
		return bwd
	})
}
