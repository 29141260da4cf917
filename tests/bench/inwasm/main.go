//go:build js && wasm

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"

	"prefixtune/tests/bench/step"
	"prefixtune/wasm/kernels"
)

// arenaSize is the byte length of the kernel pool's arena memory (the
// import "size" of wasm/pool.js that the browser device also uses).
//
//go:wasmimport kernels size
func arenaSize() uint32

// Output is the printed line.
type Output struct {
	step.Result
	// ArenaMiB is the arena, the kernel pool's WebAssembly.Memory (the
	// weights, activations and prefix state the device allocated, plus the
	// slack of its last growth by a quarter).
	ArenaMiB float64 `json:"arena_mib"`
	// GoSysMiB is runtime.MemStats.Sys at the end: what the Go runtime took
	// into its own linear memory (heap, stacks, metadata), which never
	// shrinks, so it is the Go side's peak.
	GoSysMiB float64 `json:"go_sys_mib"`
	// GoHeapMiB is the live Go heap after the steps.
	GoHeapMiB float64 `json:"go_heap_mib"`
}

func main() {
	shape := flag.String("shape", "gpt2-small", "the model shape (a key of step.Shapes)")
	warmup := flag.Int("warmup", 1, "untimed steps before the timed ones")
	steps := flag.Int("steps", 2, "timed steps")
	generate := flag.Int("generate", step.GenTokens, "new tokens to generate after the steps, timed (0: none)")
	flag.Parse()
	if err := run(*shape, *warmup, *steps, *generate); err != nil {
		fmt.Fprintln(os.Stderr, "inwasm:", err)
		os.Exit(1)
	}
}

func run(shape string, warmup, steps, generate int) error {
	o, err := step.Defaults(shape, warmup, steps, generate)
	if err != nil {
		return err
	}
	d, err := kernels.NewBrowser(kernels.BrowserOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	r, err := step.Run(d, o)
	if err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	const MiB = 1 << 20
	return json.NewEncoder(os.Stdout).Encode(Output{Result: r, ArenaMiB: float64(arenaSize()) / MiB,
		GoSysMiB: float64(ms.Sys) / MiB, GoHeapMiB: float64(ms.HeapAlloc) / MiB})
}
