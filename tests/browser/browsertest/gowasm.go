package browsertest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Root returns the repository root: the nearest directory at or above the
// working directory that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("browsertest: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// BuildWasm builds the package pkg (an import path or a directory) for
// GOOS=js GOARCH=wasm into the file out: its test binary when test is true
// (go test -c), else the program.
func BuildWasm(out, pkg string, test bool) error {
	args := []string{"build", "-o", out, pkg}
	if test {
		args = []string{"test", "-c", "-o", out, pkg}
	}
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("browsertest: GOOS=js GOARCH=wasm go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return nil
}

// WasmExec returns the path of the Go toolchain's wasm_exec.js, the
// JavaScript support of GOOS=js programs; it must match the Go that built
// them.
func WasmExec() (string, error) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("browsertest: go env GOROOT: %w", err)
	}
	path := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("browsertest: the Go toolchain has no wasm_exec.js: %w", err)
	}
	return path, nil
}
