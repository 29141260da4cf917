package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"prefixtune/core/tune"
	"prefixtune/tests/bench/step"
	"prefixtune/tests/browser/browsertest"
)

func main() {
	nativeThreads := flag.Int("native-threads", 0, "run only the native step on this many threads and print its result (the child mode of the native case)")
	warmup := flag.Int("warmup", 1, "untimed steps before the timed ones, per case")
	steps := flag.Int("steps", 2, "timed steps per case")
	generate := flag.Int("generate", step.GenTokens, "new tokens each case generates after its steps, timed (0: none)")
	cases := flag.String("cases", "pytorch,native,browser", "comma-separated cases to run")
	shapes := flag.String("shapes", "gpt2-small,smollm2-135m", "comma-separated model shapes to run the cases on (PyTorch's step is GPT-2's only)")
	flag.Parse()
	var err error
	if *nativeThreads > 0 {
		err = runNative(*shapes, *nativeThreads, counts{*warmup, *steps, *generate})
	} else {
		err = run(counts{*warmup, *steps, *generate}, strings.Split(*cases, ","), strings.Split(*shapes, ","))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// counts are how many steps and new tokens every case times.
type counts struct{ warmup, steps, generate int }

// args are the flags that give a child program the same counts.
func (c counts) args() []string {
	return []string{"-warmup", strconv.Itoa(c.warmup), "-steps", strconv.Itoa(c.steps), "-generate", strconv.Itoa(c.generate)}
}

// caseLine is the printed line of one case.
type caseLine struct {
	Case         string    `json:"case"`  // pytorch, native or browser
	Shape        string    `json:"shape"` // a key of step.Shapes
	Device       string    `json:"device"`
	Threads      int       `json:"threads"`
	TokensPerSec float64   `json:"tokens_per_s"`                    // over the timed steps
	Ratio        float64   `json:"ratio_to_pytorch,omitempty"`      // to pytorch's tokens_per_s on as many threads
	BestPerSec   float64   `json:"best_tokens_per_s"`               // of the fastest timed step
	BestRatio    float64   `json:"best_ratio_to_pytorch,omitempty"` // to pytorch's best_tokens_per_s
	RatioNative  float64   `json:"ratio_to_native,omitempty"`       // the browser's to native's tokens_per_s on as many threads
	GenPerSec    float64   `json:"gen_tokens_per_s,omitempty"`      // greedy generation's one-token steps per second (step.GenTokens)
	GenRatio     float64   `json:"gen_ratio_to_pytorch,omitempty"`  // to pytorch's gen_tokens_per_s on as many threads
	StepSeconds  []float64 `json:"step_s"`
	GFLOPS       float64   `json:"gflops,omitempty"` // tune.StepFLOPs per second
	Loss         float64   `json:"loss"`
	PeakMiB      float64   `json:"peak_mib"`
	PeakIs       string    `json:"peak_is"`
	ArenaMiB     float64   `json:"arena_mib,omitempty"`
	GoSysMiB     float64   `json:"go_sys_mib,omitempty"`
	GoHeapMiB    float64   `json:"go_heap_mib,omitempty"`
	EstimateMiB  float64   `json:"estimate_mib,omitempty"` // tune.EstimateMemory
	// CPUShare is the CPU time of the case's processes over its whole run
	// (setup included) per second of wall time per thread: 1 when every
	// thread ran all the time.
	CPUShare float64 `json:"cpu_share"`
	// OtherCores is how many cores other processes kept busy on average
	// during the case (from /proc/stat): the load it competed with.
	OtherCores float64  `json:"other_cores"`
	Torch      string   `json:"torch,omitempty"`
	BLAS       string   `json:"blas,omitempty"`
	UnsetEnv   []string `json:"unset_env,omitempty"`
}

// opLine is one op's share of a browser step.
type opLine struct {
	Case      string  `json:"case"` // op-share
	Shape     string  `json:"shape"`
	Device    string  `json:"device"`
	Threads   int     `json:"threads"`
	Op        string  `json:"op"`
	Calls     int     `json:"calls_per_step,omitempty"`
	MsPerStep float64 `json:"ms_per_step"`
	Share     float64 `json:"share"`
}

// machineLine describes the machine and its load at the start or the end.
type machineLine struct {
	Case     string   `json:"case"` // machine or machine-end
	Cores    int      `json:"cores,omitempty"`
	Go       string   `json:"go,omitempty"`
	Chromium string   `json:"chromium,omitempty"`
	Model    string   `json:"model,omitempty"`
	Load1    float64  `json:"load1"`
	Busy     []string `json:"busy_processes"` // over one second, besides this benchmark
}

// skipLine says plainly why a case did not run.
type skipLine struct {
	Case    string `json:"case"`
	Skipped string `json:"skipped"`
}

func run(c counts, cases, shapes []string) error {
	for _, name := range cases {
		if !slices.Contains([]string{"pytorch", "native", "browser"}, name) {
			return fmt.Errorf("unknown case %q: the cases are pytorch, native and browser", name)
		}
	}
	for _, sh := range shapes {
		if _, err := step.Defaults(sh, c.warmup, c.steps, c.generate); err != nil {
			return err
		}
	}
	root, err := browsertest.Root()
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	print := func(v any) {
		if err := out.Encode(v); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
	all := runtime.NumCPU()
	threads := slices.Compact([]int{1, all})

	var br *browser
	if slices.Contains(cases, "browser") {
		tmp, remove, err := tempDir()
		if err != nil {
			return err
		}
		defer remove()
		if br, err = openBrowser(tmp); err != nil {
			return err
		}
		defer br.close()
	}
	m := machineLine{Case: "machine", Cores: all, Go: runtime.Version(), Load1: loadAvg(), Busy: busy(),
		Model: fmt.Sprintf("%s shapes, random weights, B=%d T=%d P=%d, %d warm-up + %d timed steps, then %d new tokens after %d", strings.Join(shapes, " and "), step.B, step.T, step.P, c.warmup, c.steps, c.generate, step.GenPrompt)}
	if br != nil {
		m.Chromium = br.version
	}
	print(m)

	skip := ""
	if slices.Contains(cases, "pytorch") {
		if skip = torchMissing(); skip != "" {
			print(skipLine{"pytorch", skip})
		}
	}
	for _, shape := range shapes {
		for _, n := range threads {
			var ref, refBest, refGen float64 // pytorch's tokens/s on n threads
			var nativeRate float64           // native's
			ratio := func(x, of float64) float64 {
				if of == 0 {
					return 0
				}
				return round(x / of)
			}
			if slices.Contains(cases, "pytorch") && skip == "" && shape == "gpt2-small" {
				cpu0 := readCPU()
				r, u, unset, s, err := pytorch(root, n, c)
				if err != nil {
					return err
				}
				if s != "" {
					skip = s
					print(skipLine{"pytorch", skip})
				} else {
					ref, refBest, refGen = r.TokensPerSec, r.BestPerSec, r.GenPerSec
					print(caseLine{Case: "pytorch", Shape: shape, Device: "pytorch-cpu", Threads: n,
						TokensPerSec: round(r.TokensPerSec), Ratio: 1, BestPerSec: round(r.BestPerSec), BestRatio: 1,
						StepSeconds: rounds(r.StepSeconds), GFLOPS: round(flops(r.StepSeconds)), Loss: round(r.Loss),
						GenPerSec: round(r.GenPerSec), GenRatio: ratio(r.GenPerSec, r.GenPerSec),
						PeakMiB: round(u.PeakMiB), PeakIs: "the python process's peak resident set",
						CPUShare: round(u.CPU / u.Wall / float64(n)), OtherCores: otherCores(cpu0, u, all),
						Torch: r.Torch, BLAS: r.BLAS, UnsetEnv: unset})
				}
			}
			if slices.Contains(cases, "native") {
				cpu0 := readCPU()
				r, u, err := native(shape, n, c)
				if err != nil {
					return err
				}
				nativeRate = r.TokensPerSec
				print(caseLine{Case: "native", Shape: shape, Device: fmt.Sprintf("%s/%d", r.Device, n), Threads: n,
					TokensPerSec: round(r.TokensPerSec), Ratio: ratio(r.TokensPerSec, ref),
					BestPerSec: round(r.BestPerSec), BestRatio: ratio(r.BestPerSec, refBest),
					StepSeconds: rounds(r.StepSeconds), GFLOPS: round(r.GFLOPS), Loss: round(r.Loss),
					GenPerSec: round(r.GenPerSec), GenRatio: ratio(r.GenPerSec, refGen),
					PeakMiB: round(u.PeakMiB), PeakIs: "the process's peak resident set", EstimateMiB: round(r.EstimateMiB),
					CPUShare: round(u.CPU / u.Wall / float64(n)), OtherCores: otherCores(cpu0, u, all)})
			}
			if br != nil {
				cpu0 := readCPU()
				r, pool, u, err := br.run(shape, n, c)
				if err != nil {
					return err
				}
				print(caseLine{Case: "browser", Shape: shape, Device: r.Device, Threads: pool.Threads,
					TokensPerSec: round(r.TokensPerSec), Ratio: ratio(r.TokensPerSec, ref), RatioNative: ratio(r.TokensPerSec, nativeRate),
					BestPerSec: round(r.BestPerSec), BestRatio: ratio(r.BestPerSec, refBest),
					StepSeconds: rounds(r.StepSeconds), GFLOPS: round(r.GFLOPS), Loss: round(r.Loss),
					GenPerSec: round(r.GenPerSec), GenRatio: ratio(r.GenPerSec, refGen),
					PeakMiB: round(r.ArenaMiB + r.GoSysMiB), PeakIs: "WebAssembly memories: the kernel arena plus the Go runtime's share of its linear memory",
					ArenaMiB: round(r.ArenaMiB), GoSysMiB: round(r.GoSysMiB), GoHeapMiB: round(r.GoHeapMiB), EstimateMiB: round(r.EstimateMiB),
					CPUShare: round(u.CPU / u.Wall / float64(pool.Threads)), OtherCores: otherCores(cpu0, u, all)})
				outside := 1.0
				for _, op := range r.Ops {
					print(opLine{Case: "op-share", Shape: shape, Device: r.Device, Threads: pool.Threads, Op: op.Name, Calls: op.Calls,
						MsPerStep: round(1e3 * op.Seconds), Share: round(op.Share)})
					outside -= op.Share
				}
				print(opLine{Case: "op-share", Shape: shape, Device: r.Device, Threads: pool.Threads, Op: "(outside the device's ops)",
					MsPerStep: round(1e3 * outside * sum(r.StepSeconds) / float64(len(r.StepSeconds))), Share: round(outside)})
			}
		}
	}
	print(machineLine{Case: "machine-end", Load1: loadAvg(), Busy: busy()})
	return nil
}

// otherCores is how many cores other processes than the case's kept busy
// on average since cpu0.
func otherCores(cpu0 cpuTimes, u usage, cores int) float64 {
	return round(max(0, busySince(cpu0)*float64(cores)-u.CPU/u.Wall))
}

// flops is tune.StepFLOPs per second over steps of these durations, in GFLOP/s.
func flops(stepSeconds []float64) float64 {
	return tune.StepFLOPs(step.GPT2Small, step.P, slices.Repeat([]int{step.T}, step.B), step.B*step.T) * float64(len(stepSeconds)) / sum(stepSeconds) / 1e9
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// round keeps three significant digits (at least two decimals).
func round(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	p := math.Pow(10, max(2, 2-math.Floor(math.Log10(math.Abs(x)))))
	return math.Round(x*p) / p
}

func rounds(xs []float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = round(x)
	}
	return out
}
