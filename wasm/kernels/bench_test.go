//go:build linux || darwin

package kernels

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"

	"prefixtune/core/tensor"
)

// gemmShapes are the benchmarked products out[N,OC] = inp[N,C] @ W[OC,C]^T.
var gemmShapes = []struct{ N, C, OC int }{{512, 768, 768}, {512, 768, 3072}, {1, 768, 3072}}

// BenchmarkGEMM reports the GFLOP/s of Matmul on the wazero device (1 and 2
// threads) beside the reference and the fast native devices, in wall time and
// per second of process CPU time (which other processes on a shared machine
// do not inflate; with one thread it approximates the uncontended speed).
func BenchmarkGEMM(b *testing.B) {
	for _, s := range gemmShapes {
		devices := []struct {
			name string
			new  func(b *testing.B) tensor.Device
		}{
			{"wazero-1", func(b *testing.B) tensor.Device { return newBenchDevice(b, 1) }},
			{"wazero-2", func(b *testing.B) tensor.Device { return newBenchDevice(b, 2) }},
			{"reference", func(*testing.B) tensor.Device { return tensor.NewCPU() }},
			{"fast-1", func(*testing.B) tensor.Device { return tensor.NewFast(1) }},
		}
		for _, dev := range devices {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.N, s.C, s.OC, dev.name), func(b *testing.B) {
				if dev.name == "reference" && s.N > 1 && testing.Short() {
					b.Skip("the reference GEMM takes seconds")
				}
				d := dev.new(b)
				rng := rand.New(rand.NewPCG(1, 2))
				fill := func(n int) tensor.Tensor {
					t, v := d.Alloc(n), make([]float32, n)
					for i := range v {
						v[i] = float32(rng.NormFloat64())
					}
					d.Upload(t, v)
					return t
				}
				out, inp, w, bias := d.Alloc(s.N*s.OC), fill(s.N*s.C), fill(s.OC*s.C), fill(s.OC)
				cpu0 := cpuSeconds()
				for b.Loop() {
					d.Matmul(out, inp, w, bias, s.N, s.C, s.OC)
				}
				flops := 2 * float64(s.N*s.C*s.OC) * float64(b.N)
				b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(flops/(cpuSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
			})
		}
	}
}

// cpuSeconds is the CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func newBenchDevice(b *testing.B, threads int) *Device {
	d, err := NewWazero(threads)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// BenchmarkStepOps times every op of a GPT-2 small prefix-tuning step (C 768,
// 12 heads, vocabulary 50257, B 2, T 64, prefix 10; backward computes input
// and prefix gradients only) on the wazero device, one sub-benchmark per op
// and shape. A step runs the layer ops 12 times and the head ops once.
func BenchmarkStepOps(b *testing.B) {
	const B, T, C, NH, P, V, L = 2, 64, 768, 12, 10, 50257, 12
	const N, S = B * T, L * 2 * C
	d := newBenchDevice(b, 1)
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int, std float64) tensor.Tensor {
		t, v := d.Alloc(n), make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
		d.Upload(t, v)
		return t
	}
	x, y, h := fill(N*C, 1), fill(N*C, 1), fill(N*4*C, 1)
	dx, dh := fill(N*C, 1), fill(N*4*C, 1)
	w, bias, wv := fill(4*C*C, 0.02), fill(4*C, 0.02), fill(V*C, 0.02)
	mean, rstd := d.Alloc(N), d.Alloc(N)
	qkv, dqkv, past, dpast := fill(N*3*C, 1), fill(N*3*C, 1), fill(P*S, 1), fill(P*S, 1)
	att, datt := d.Alloc(B*NH*T*(P+T)), d.Alloc(B*NH*T*(P+T))
	valid := fill(N, 0)
	ones := make([]float32, N)
	for i := range ones {
		ones[i] = 1
	}
	d.Upload(valid, ones)
	logits, losses, dl := d.Alloc(N*V), d.Alloc(N), fill(N, 0.01)
	targets := d.Alloc(N)
	tg := make([]int32, N)
	for i := range tg {
		tg[i] = int32(rng.IntN(V))
	}
	d.UploadInt32(targets, tg)
	none := tensor.Tensor{}
	d.LayerNorm(y, mean, rstd, x, w, bias, N, C, 1e-5)
	d.Attention(y, att, qkv, past, past.Slice(C, P*S-C), valid, B, T, NH, NH, C/NH, P, S)
	for _, op := range []struct {
		name  string
		count int // per step
		run   func()
	}{
		{"LayerNorm", 2*L + 1, func() { d.LayerNorm(y, mean, rstd, x, w, bias, N, C, 1e-5) }},
		{"LayerNormBackward", 2*L + 1, func() { d.LayerNormBackward(dx, none, none, y, x, w, mean, rstd, N, C) }},
		{"Matmul-qkv", L, func() { d.Matmul(qkv, x, w, bias, N, C, 3*C) }},
		{"Matmul-proj", L, func() { d.Matmul(y, x, w, bias, N, C, C) }},
		{"Matmul-fc", L, func() { d.Matmul(h, x, w, bias, N, C, 4*C) }},
		{"Matmul-fcproj", L, func() { d.Matmul(y, h, w, bias, N, 4*C, C) }},
		{"Matmul-logits", 1, func() { d.Matmul(logits, x, wv, none, N, C, V) }},
		{"MatmulBackward-qkv", L, func() { d.MatmulBackward(dx, none, none, dqkv, x, w, N, C, 3*C) }},
		{"MatmulBackward-proj", L, func() { d.MatmulBackward(dx, none, none, y, x, w, N, C, C) }},
		{"MatmulBackward-fc", L, func() { d.MatmulBackward(dx, none, none, h, x, w, N, C, 4*C) }},
		{"MatmulBackward-fcproj", L, func() { d.MatmulBackward(dh, none, none, y, h, w, N, 4*C, C) }},
		{"MatmulBackward-logits", 1, func() { d.MatmulBackward(dx, none, none, logits, x, wv, N, C, V) }},
		{"Attention", L, func() { d.Attention(y, att, qkv, past, past.Slice(C, P*S-C), valid, B, T, NH, NH, C/NH, P, S) }},
		{"AttentionBackward", L, func() {
			d.AttentionBackward(dqkv, dpast, dpast.Slice(C, P*S-C), datt, y, qkv, past, past.Slice(C, P*S-C), att, B, T, NH, NH, C/NH, P, S)
		}},
		{"GELU", L, func() { d.GELU(h, dh, N*4*C) }},
		{"GELUBackward", L, func() { d.GELUBackward(dh, h, h, N*4*C) }},
		{"Add", 4 * L, func() { d.Add(y, y, x, N*C) }},
		{"CrossEntropy", 1, func() { d.CrossEntropy(losses, logits, targets, N, V) }},
		{"CrossEntropyBackward", 1, func() { d.CrossEntropyBackward(logits, logits, targets, dl, N, V) }},
		{"AdamW", 1, func() { d.AdamW(past, dpast, qkv, dqkv, P*S, 1e-3, 0.9, 0.999, 1e-8, 0, 1) }},
	} {
		b.Run(fmt.Sprintf("%s-x%d", op.name, op.count), func(b *testing.B) {
			cpu0 := cpuSeconds()
			for b.Loop() {
				op.run()
			}
			b.ReportMetric(float64(op.count)*b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
			b.ReportMetric(float64(op.count)*(cpuSeconds()-cpu0)*1e3/float64(b.N), "cpu-ms/step")
		})
	}
}
