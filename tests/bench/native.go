package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"prefixtune/core/tensor"
	"prefixtune/tests/bench/step"
)

// runNative is the child mode (-native-threads): the step on the fast
// native device with threads goroutines per op and GOMAXPROCS threads, the
// result as one JSON line on standard output.
func runNative(shape string, threads int, c counts) error {
	runtime.GOMAXPROCS(threads)
	o, err := step.Defaults(shape, c.warmup, c.steps, c.generate)
	if err != nil {
		return err
	}
	r, err := step.Run(tensor.NewFast(threads), o)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// usage is what a case's processes used over its whole run.
type usage struct {
	PeakMiB float64 // a child's peak resident set
	CPU     float64 // CPU seconds
	Wall    float64 // seconds
}

// childError is a child process that failed.
type childError struct {
	cmd    string
	code   int // exit status, -1 when it did not exit by itself
	err    error
	output string // standard output and error
	stderr string
}

func (e *childError) Error() string { return fmt.Sprintf("%s: %v\n%s", e.cmd, e.err, e.output) }

// child runs name with args and env in a fresh process (so that its peak
// memory is its own) and decodes its JSON output into v. It fails with a
// *childError when the child does.
func child(v any, env []string, name string, args ...string) (usage, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	line := name + " " + strings.Join(args, " ")
	if err := cmd.Run(); err != nil {
		return usage{}, &childError{cmd: line, code: cmd.ProcessState.ExitCode(), err: err,
			output: out.String() + errOut.String(), stderr: errOut.String()}
	}
	u := usage{Wall: time.Since(start).Seconds(),
		CPU: (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.PeakMiB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		return u, fmt.Errorf("%s printed %q: %w", line, out.Bytes(), err)
	}
	return u, nil
}

// native times the fast native device on threads threads in a child process.
func native(shape string, threads int, c counts) (step.Result, usage, error) {
	self, err := os.Executable()
	if err != nil {
		return step.Result{}, usage{}, err
	}
	var r step.Result
	u, err := child(&r, os.Environ(), self, append([]string{"-native-threads", strconv.Itoa(threads), "-shapes", shape}, c.args()...)...)
	return r, u, err
}
