package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
)

// BuildSite writes the app into dir as `make web` makes it in public/: the
// static files (with the bundled demo model, which must be there), ui.wasm
// and engine.wasm built for GOOS=js, the toolchain's wasm_exec.js, and the
// kernels with their thread pool. It returns the folder of the demo model.
func BuildSite(dir string) (model string, err error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "public"))); err != nil {
		return "", fmt.Errorf("copying public/: %w", err)
	}
	for out, pkg := range map[string]string{"ui.wasm": "prefixtune/ui", "engine.wasm": "prefixtune/wasm/engine"} {
		if err := BuildWasm(filepath.Join(dir, out), pkg, false); err != nil {
			return "", err
		}
	}
	wasmExec, err := WasmExec()
	if err != nil {
		return "", err
	}
	for dst, src := range map[string]string{"wasm_exec.js": wasmExec, "pool.js": filepath.Join(root, "wasm/pool.js"),
		"kernels.wasm": filepath.Join(root, "wasm/kernels/kernels.wasm"), "kernels_relaxed.wasm": filepath.Join(root, "wasm/kernels/kernels_relaxed.wasm")} {
		b, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, dst), b, 0o644)
		}
		if err != nil {
			return "", err
		}
	}
	model = filepath.Join(dir, "models", "demo")
	if _, err := os.Stat(filepath.Join(model, "model.safetensors")); err != nil {
		return "", fmt.Errorf("the bundled demo model is missing (make demo-model writes it): %w", err)
	}
	return model, nil
}
