package ceiling

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"prefixtune/tests/browser/kernels/alternate"
)

// The panels the tiles sweep: a block of blockRows rows of A and
// blockCols columns of B over kc steps, as the kernels' GEMM packs them
// (internal/wat/gemm.go): A about 90 KiB (level-2 cache), each 8-column B
// panel 8 KiB (level 1).
const blockRows, blockCols, kc = 90, 512, 256

// tile is a register tile: run(a, b, c, kc) adds the product of an A panel
// [kc, rows] and a B panel [kc, 8] to the block c [rows, 8].
type tile struct {
	rows int
	run  func(a, b, c *float32, kc int)
}

// Time sweeps the tile of the kernel build ("plain" or "relaxed") over its
// panels for seconds (after a fifth of that of warm-up) in batches of at
// least 5 ms alternating between one thread and n at once, each thread with
// panels of its own, and returns the batches' GFLOP/s.
func Time(build string, n int, seconds float64) (alternate.Rates, error) {
	if err := usable(); err != nil {
		return alternate.Rates{}, err
	}
	t, ok := tiles[build]
	if !ok {
		return alternate.Rates{}, fmt.Errorf("ceiling: no tile for the kernel build %q (plain or relaxed)", build)
	}
	if n < 1 {
		return alternate.Rates{}, fmt.Errorf("ceiling: %d threads", n)
	}
	runtime.GOMAXPROCS(max(n, runtime.GOMAXPROCS(0)))
	sweeps := make([]func() float64, n)
	for i := range sweeps {
		sweeps[i] = t.sweep(uint64(i))
	}
	// Threads 1..n-1 run batches when told, each on an OS thread of its own;
	// thread 0 is the caller's.
	start, done := make([]chan time.Time, n), make(chan float64)
	for i := 1; i < n; i++ {
		start[i] = make(chan time.Time)
		go func() {
			runtime.LockOSThread()
			for until := range start[i] {
				done <- batch(sweeps[i], until)
			}
		}()
	}
	defer func() {
		for _, c := range start[1:] {
			close(c)
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	rate := func(threads int) float64 {
		t0 := time.Now()
		until := t0.Add(5 * time.Millisecond)
		for i := 1; i < threads; i++ {
			start[i] <- until
		}
		flops := batch(sweeps[0], until)
		for i := 1; i < threads; i++ {
			flops += <-done
		}
		return flops / time.Since(t0).Seconds() / 1e9
	}
	return alternate.Time(n, seconds, rate), nil
}

// batch runs sweep until the deadline (at least once) and returns the
// floating-point operations done.
func batch(sweep func() float64, until time.Time) float64 {
	flops := sweep()
	for time.Now().Before(until) {
		flops += sweep()
	}
	return flops
}

// sweep returns a function that runs the tile over every tile position of
// fresh random panels, as the GEMM's loops over a block do (B panels
// outside, A panels inside), and returns the floating-point operations.
func (t tile) sweep(seed uint64) func() float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	// a [blockRows/rows panels][kc, rows]; b [blockCols/8 panels][kc, 8]
	a, b, c := fill(blockRows/t.rows*t.rows*kc), fill(blockCols*kc), make([]float32, t.rows*8)
	return func() float64 {
		for j := 0; j < blockCols; j += 8 {
			for i := 0; i+t.rows <= blockRows; i += t.rows {
				t.run(&a[i*kc], &b[j*kc], &c[0], kc)
			}
		}
		return float64(blockRows/t.rows*(blockCols/8)) * float64(2*t.rows*8*kc)
	}
}
