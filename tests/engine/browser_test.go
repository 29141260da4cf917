package engine

import (
	"path/filepath"
	"prefixtune/tests/reference/gpt2"
	"testing"

	"prefixtune/tests/browser/browsertest"
)

var (
	root     = filepath.Join("..", "..")
	fixtures = string(gpt2.Fixtures)
)

// site serves, cross-origin isolated as the real site is, what public/
// holds once built (the engine, its worker, wasm_exec.js, the kernel pool
// and modules) and the test page and fixtures.
func site(t *testing.T) *browsertest.Server {
	t.Helper()
	wasm := filepath.Join(t.TempDir(), "engine.wasm")
	if err := browsertest.BuildWasm(wasm, "prefixtune/wasm/engine", false); err != nil {
		t.Fatal(err)
	}
	files, err := browsertest.RunnerFiles() // wasm_exec.js, pool.js, kernels*.wasm
	if err != nil {
		t.Fatal(err)
	}
	files["/"] = "testdata"
	files["/engine.wasm"] = wasm
	files["/engine.js"] = filepath.Join(root, "public", "engine.js")
	files["/engine-worker.js"] = filepath.Join(root, "public", "engine-worker.js")
	files["/fixtures/"] = fixtures
	s, err := browsertest.Serve(files, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
