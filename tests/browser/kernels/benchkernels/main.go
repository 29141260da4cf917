// Command benchkernels is `make bench-kernels`: in headless Chromium it
// times the browser device's GEMM (Matmul, as the engine calls it) with the
// plain and the relaxed kernel build on one thread and on all of them, and
// TensorFlow.js's wasm backend on the same shapes in the same browser
// session, and prints one JSON line per case with the ratio of the two.
// Two shapes are also run with BF16 weights ("weights":"bf16"), beside
// TensorFlow.js's float32 figure.
//
// Every figure is the best batch of calls (gflops) and the median batch
// (median_gflops) over 2 s (-seconds). The lines on all threads also give "scaling":
// the median ratio of the rate on all threads to the rate on one, timed in
// alternating batches (../alternate), which is steadier
// than the ratio of two best figures timed seconds apart on a shared host.
//
// Beside each build, its register tile run natively (../ceiling: the same
// instructions over the same packed panels, nothing else) is timed the same
// way right after the build's browser run: ceiling_gflops, and
// ratio_to_ceiling, what the whole wasm GEMM gets of it (for 1x768x3072,
// which the matrix-vector kernel computes at the speed of memory, how far
// below the tile that is).
//
// It needs `npm ci --prefix tests/browser` (TensorFlow.js) and Chromium.
// Run it from anywhere in the repository: go run ./tests/browser/kernels/benchkernels
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/browsertest"
	"prefixtune/tests/browser/kernels/alternate"
	"prefixtune/tests/browser/kernels/ceiling"
)

// shapes are the GEMMs N x C x OC: out[N,OC] = inp[N,C] @ W[OC,C]^T + bias;
// the same list as gemmShapes in ../inwasm.
var shapes = []string{"64x64x64", "256x256x256", "1024x1024x1024", "512x768x768", "512x768x3072", "1x768x3072"}

// bf16Shapes are also run with BF16 weights (bf16Shapes in ../inwasm),
// beside TensorFlow.js's float32 figure of the same shape.
var bf16Shapes = []string{"512x768x768", "1x768x3072"}

var seconds = flag.Float64("seconds", 2, "timing window per case, in seconds (after a fifth of it of warm-up)")

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchkernels:", err)
		os.Exit(1)
	}
}

// line is one printed case.
type line struct {
	Shape        string  `json:"shape"`
	Weights      string  `json:"weights"`
	Build        string  `json:"build"`
	Threads      int     `json:"threads"`
	GFLOPS       float64 `json:"gflops"`
	MedianGFLOPS float64 `json:"median_gflops"`
	Scaling      float64 `json:"scaling,omitempty"` // on all threads: median ratio to one
	TFJSGFLOPS   float64 `json:"tfjs_gflops"`
	TFJSMedian   float64 `json:"tfjs_median_gflops"`
	TFJSThreads  int     `json:"tfjs_threads"`
	Ratio        float64 `json:"ratio_to_tfjs"` // gflops / tfjs_gflops
	// The build's tile run natively (../ceiling) on as many threads.
	Ceiling        float64 `json:"ceiling_gflops,omitempty"`
	CeilingMedian  float64 `json:"ceiling_median_gflops,omitempty"`
	CeilingScaling float64 `json:"ceiling_scaling,omitempty"`
	RatioCeiling   float64 `json:"ratio_to_ceiling,omitempty"` // gflops / ceiling_gflops
}

// benchLine is a line of TestGEMMBench (../inwasm).
type benchLine struct {
	Shape   string  `json:"shape"`
	Weights string  `json:"weights"`
	Threads int     `json:"threads"`
	Best1   float64 `json:"best_1"`
	Median1 float64 `json:"median_1"`
	BestN   float64 `json:"best_n"`
	MedianN float64 `json:"median_n"`
	Scaling float64 `json:"scaling"`
}

// rate is a best and a median figure.
type rate struct{ best, median float64 }

func run() error {
	root, err := browsertest.Root()
	if err != nil {
		return err
	}
	modules := filepath.Join(root, "tests", "browser", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "@tensorflow", "tfjs-backend-wasm")); err != nil {
		return fmt.Errorf("TensorFlow.js is not installed: run npm ci --prefix tests/browser (%v)", err)
	}
	tmp, err := os.MkdirTemp("", "benchkernels")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	prog := filepath.Join(tmp, "inwasm.wasm")
	if err := browsertest.BuildWasm(prog, "prefixtune/tests/browser/kernels/inwasm", true); err != nil {
		return err
	}
	files, err := browsertest.RunnerFiles()
	if err != nil {
		return err
	}
	files["/inwasm.wasm"] = prog
	files["/node_modules/"] = modules
	files["/tfjs/"] = filepath.Join(root, "tests", "browser", "kernels", "benchkernels", "tfjs")
	srv, err := browsertest.Serve(files, true)
	if err != nil {
		return err
	}
	defer srv.Close()
	ctx, cancel, err := browsertest.Chromium(context.Background(), filepath.Join(tmp, "profile"))
	if err != nil {
		return err
	}
	defer cancel()

	// Both builds on all of the pool's threads, each timing one thread too.
	builds, ceilings := map[string][]benchLine{}, map[string]alternate.Rates{}
	all := 1
	for _, build := range []string{"plain", "relaxed"} {
		r, err := browsertest.Run(ctx, srv.URL, browsertest.RunOptions{
			Wasm: "/inwasm.wasm", Args: []string{"-test.run=^TestGEMMBench$", "-gemm-bench", fmt.Sprint("-gemm-seconds=", *seconds)},
			Build: build, Timeout: 5*time.Minute + time.Duration(40**seconds)*time.Second,
		})
		if err != nil {
			return err
		}
		if r.Error != "" || r.Exit != 0 || r.Relaxed != (build == "relaxed") {
			return fmt.Errorf("the %s GEMM benchmark failed (%+v):\n%s", build, r, r.Output)
		}
		if builds[build], err = benchLines(r.Output); err != nil {
			return err
		}
		if len(builds[build]) != len(shapes)+len(bf16Shapes) {
			return fmt.Errorf("the %s GEMM benchmark printed %d cases, want %d:\n%s", build, len(builds[build]), len(shapes)+len(bf16Shapes), r.Output)
		}
		all = r.Threads
		if ceilings[build], err = ceiling.Time(build, all, *seconds); err != nil {
			fmt.Fprintln(os.Stderr, "benchkernels: no native ceiling:", err)
		}
	}
	threads := []int{1}
	if all > 1 {
		threads = append(threads, all)
	}
	out := json.NewEncoder(os.Stdout)
	for _, n := range threads {
		tfjs, tfjsThreads, err := timeTFJS(ctx, srv.URL, n)
		if err != nil {
			return err
		}
		for _, build := range []string{"plain", "relaxed"} {
			for _, b := range builds[build] {
				l := line{Shape: b.Shape, Weights: b.Weights, Build: build, Threads: n,
					GFLOPS: round(b.Best1), MedianGFLOPS: round(b.Median1),
					TFJSGFLOPS: round(tfjs[b.Shape].best), TFJSMedian: round(tfjs[b.Shape].median), TFJSThreads: tfjsThreads}
				c := ceilings[build]
				l.Ceiling, l.CeilingMedian = round(c.Best1), round(c.Median1)
				if n > 1 {
					l.GFLOPS, l.MedianGFLOPS, l.Scaling = round(b.BestN), round(b.MedianN), round(b.Scaling)
					l.Ceiling, l.CeilingMedian, l.CeilingScaling = round(c.BestN), round(c.MedianN), round(c.Scaling)
				}
				if l.Ceiling > 0 {
					l.RatioCeiling = round(l.GFLOPS / l.Ceiling)
				}
				if l.GFLOPS == 0 || l.TFJSGFLOPS == 0 {
					return fmt.Errorf("no figure for %s (%s, %d threads)", b.Shape, build, n)
				}
				l.Ratio = round(l.GFLOPS / l.TFJSGFLOPS)
				if err := out.Encode(l); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func round(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// benchLines reads the JSON lines of TestGEMMBench.
func benchLines(output string) ([]benchLine, error) {
	var got []benchLine
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "{") {
			continue
		}
		var l benchLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("a benchmark line %q: %w", sc.Text(), err)
		}
		got = append(got, l)
	}
	return got, nil
}

// timeTFJS runs the shapes on TensorFlow.js's wasm backend with threads
// threads; it returns GFLOP/s by shape and the threads XNNPACK reports.
func timeTFJS(ctx context.Context, base string, threads int) (map[string]rate, int, error) {
	q := url.Values{"threads": {fmt.Sprint(threads)}, "shape": shapes, "seconds": {fmt.Sprint(*seconds)}}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tfjs/tfjs.html?"+q.Encode())); err != nil {
		return nil, 0, err
	}
	raw, err := chromedp.Run(ctx, chromedp.Poll[string](`document.getElementById('result').textContent`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(5*time.Minute)))
	if err != nil {
		return nil, 0, fmt.Errorf("TensorFlow.js did not finish: %w", err)
	}
	var r struct {
		Error   string `json:"error"`
		Threads int    `json:"threads"`
		Results []struct {
			Shape  string  `json:"shape"`
			GFLOPS float64 `json:"gflops"`
			Median float64 `json:"median_gflops"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, 0, fmt.Errorf("TensorFlow.js's result %q: %w", raw, err)
	}
	if r.Error != "" {
		return nil, 0, fmt.Errorf("TensorFlow.js: %s", r.Error)
	}
	got := map[string]rate{}
	for _, x := range r.Results {
		got[x.Shape] = rate{x.GFLOPS, x.Median}
	}
	return got, r.Threads, nil
}
