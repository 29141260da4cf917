package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// python is Debian's interpreter, whose python3-torch is the reference.
const python = "/usr/bin/python3"

// installTorch is what makes the reference available on Debian.
const installTorch = "apt-get install python3-torch libopenblas0-pthread"

// torchResult is the line torch_step.py prints.
type torchResult struct {
	Steps        int       `json:"steps"`
	StepSeconds  []float64 `json:"step_seconds"`
	TokensPerSec float64   `json:"tokens_per_s"`
	BestPerSec   float64   `json:"best_tokens_per_s"`
	Loss         float64   `json:"loss"`
	GenPerSec    float64   `json:"gen_tokens_per_s"`
	Torch        string    `json:"torch"`
	TorchThreads int       `json:"torch_threads"`
	BLAS         string    `json:"blas"`
}

// torchMissing says, in a sentence, why the PyTorch reference cannot run
// here, or returns "" when /usr/bin/python3 imports torch.
func torchMissing() string {
	if _, err := os.Stat(python); err != nil {
		return fmt.Sprintf("PyTorch reference skipped: %s is missing (%s)", python, installTorch)
	}
	if out, err := exec.Command(python, "-c", "import torch").CombinedOutput(); err != nil {
		msg := strings.TrimSpace(string(out))
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
			msg = msg[i+1:]
		}
		return fmt.Sprintf("PyTorch reference skipped: %s cannot import torch (%s): %s", python, msg, installTorch)
	}
	return ""
}

// torchEnv is this process's environment for torch_step.py on threads
// threads: OpenBLAS and OpenMP get that many threads, and
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some machines set to keep
// old OpenBLAS builds correct at the cost of speed, are dropped together so
// that OpenBLAS picks its kernel for this processor (the script reports
// which). unset lists what was dropped.
func torchEnv(threads int) (env []string, unset []string) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE":
			unset = append(unset, kv)
		case "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS":
		default:
			env = append(env, kv)
		}
	}
	n := strconv.Itoa(threads)
	return append(env, "OPENBLAS_NUM_THREADS="+n, "OMP_NUM_THREADS="+n), unset
}

// pytorch runs torch_step.py from the repository at root. skip is a
// sentence when the step cannot run on OpenBLAS here (the script exits
// with status 3).
func pytorch(root string, threads int, c counts) (r torchResult, u usage, unset []string, skip string, err error) {
	env, unset := torchEnv(threads)
	script := filepath.Join(root, "tests", "bench", "torch_step.py")
	u, err = child(&r, env, python, script, strconv.Itoa(threads), strconv.Itoa(c.warmup), strconv.Itoa(c.steps), strconv.Itoa(c.generate))
	var ce *childError
	if errors.As(err, &ce) && ce.code == 3 {
		return r, u, unset, "PyTorch reference skipped: " + strings.TrimSpace(ce.stderr), nil
	}
	return r, u, unset, "", err
}
