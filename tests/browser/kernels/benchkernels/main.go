// Command benchkernels is `make bench-kernels`: in headless Chromium it
// times the browser device's GEMM (Matmul, as the engine calls it) with the
// plain and the relaxed kernel build on one thread and on all of them, and
// TensorFlow.js's wasm backend on the same shapes in the same browser
// session, and prints one JSON line per case with the ratio of the two.
// Two shapes are also run with BF16 weights ("weights":"bf16"), beside
// TensorFlow.js's float32 figure.
//
// It needs `npm ci --prefix tests/browser` (TensorFlow.js) and Chromium.
// Run it from anywhere in the repository: go run ./tests/browser/kernels/benchkernels
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/tests/browser/browsertest"
)

// shapes are the GEMMs N x C x OC: out[N,OC] = inp[N,C] @ W[OC,C]^T + bias;
// the same list as gemmShapes in ../inwasm.
var shapes = []string{"64x64x64", "256x256x256", "1024x1024x1024", "512x768x768", "512x768x3072", "1x768x3072"}

// bf16Shapes are also run with BF16 weights (bf16Shapes in ../inwasm),
// beside TensorFlow.js's float32 figure of the same shape.
var bf16Shapes = []string{"512x768x768", "1x768x3072"}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchkernels:", err)
		os.Exit(1)
	}
}

// line is one printed case.
type line struct {
	Shape       string  `json:"shape"`
	Weights     string  `json:"weights"`
	Build       string  `json:"build"`
	Threads     int     `json:"threads"`
	GFLOPS      float64 `json:"gflops"`
	TFJSGFLOPS  float64 `json:"tfjs_gflops"`
	TFJSThreads int     `json:"tfjs_threads"`
	Ratio       float64 `json:"ratio_to_tfjs"`
}

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

	out := json.NewEncoder(os.Stdout)
	all := 0 // every thread: navigator.hardwareConcurrency, learnt from the first run
	for _, threads := range []int{1, -1} {
		if threads < 0 {
			if all <= 1 {
				break
			}
			threads = all
		}
		tfjs, tfjsThreads, err := timeTFJS(ctx, srv.URL, threads)
		if err != nil {
			return err
		}
		for _, build := range []string{"plain", "relaxed"} {
			r, err := browsertest.Run(ctx, srv.URL, browsertest.RunOptions{
				Wasm: "/inwasm.wasm", Args: []string{"-test.run=^TestGEMMBench$", "-gemm-bench"},
				Threads: threads, Build: build, Timeout: 5 * time.Minute,
			})
			if err != nil {
				return err
			}
			if r.Error != "" || r.Exit != 0 || r.Threads != threads || r.Relaxed != (build == "relaxed") {
				return fmt.Errorf("the %s GEMM benchmark on %d threads failed (%+v):\n%s", build, threads, r, r.Output)
			}
			all = r.HardwareConcurrency
			got, err := benchLines(r.Output)
			if err != nil {
				return err
			}
			cases := make([][2]string, 0, len(shapes)+len(bf16Shapes))
			for _, s := range shapes {
				cases = append(cases, [2]string{s, "f32"})
			}
			for _, s := range bf16Shapes {
				cases = append(cases, [2]string{s, "bf16"})
			}
			for _, c := range cases {
				s := c[0]
				l := line{Shape: s, Weights: c[1], Build: build, Threads: threads, GFLOPS: got[c], TFJSGFLOPS: tfjs[s], TFJSThreads: tfjsThreads}
				if l.GFLOPS == 0 || l.TFJSGFLOPS == 0 {
					return fmt.Errorf("no figure for %s (%s, %d threads):\n%s", s, build, threads, r.Output)
				}
				l.Ratio = round(l.GFLOPS / l.TFJSGFLOPS)
				l.GFLOPS, l.TFJSGFLOPS = round(l.GFLOPS), round(l.TFJSGFLOPS)
				if err := out.Encode(l); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func round(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// benchLines reads the JSON lines of TestGEMMBench: GFLOP/s by shape and
// weight type.
func benchLines(output string) (map[[2]string]float64, error) {
	got := map[[2]string]float64{}
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "{") {
			continue
		}
		l := struct {
			Shape   string  `json:"shape"`
			Weights string  `json:"weights"`
			GFLOPS  float64 `json:"gflops"`
		}{Weights: "f32"}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("a benchmark line %q: %w", sc.Text(), err)
		}
		got[[2]string{l.Shape, l.Weights}] = l.GFLOPS
	}
	return got, nil
}

// timeTFJS runs the shapes on TensorFlow.js's wasm backend with threads
// threads; it returns GFLOP/s by shape and the threads XNNPACK reports.
func timeTFJS(ctx context.Context, base string, threads int) (map[string]float64, int, error) {
	q := url.Values{"threads": {fmt.Sprint(threads)}, "shape": shapes}
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
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, 0, fmt.Errorf("TensorFlow.js's result %q: %w", raw, err)
	}
	if r.Error != "" {
		return nil, 0, fmt.Errorf("TensorFlow.js: %s", r.Error)
	}
	got := map[string]float64{}
	for _, x := range r.Results {
		got[x.Shape] = x.GFLOPS
	}
	return got, r.Threads, nil
}
