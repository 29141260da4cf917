package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"prefixtune/wasm/kernels/internal/wat"
)

// TestModulesCurrent regenerates both builds and fails if the committed
// .wat or .wasm files differ from what the generator and wat2wasm make now.
func TestModulesCurrent(t *testing.T) {
	if _, err := exec.LookPath("wat2wasm"); err != nil {
		t.Fatal("wat2wasm is not on PATH; it assembles the kernel modules: apt-get install wabt")
	}
	dir := t.TempDir()
	for _, build := range []struct {
		name    string
		relaxed bool
	}{{"kernels", false}, {"kernels_relaxed", true}} {
		text := wat.Module(build.relaxed)
		if committed, err := os.ReadFile(build.name + ".wat"); err != nil || string(committed) != text {
			t.Errorf("%s.wat is stale or missing (%v): run go generate ./wasm/kernels", build.name, err)
		}
		src, out := filepath.Join(dir, build.name+".wat"), filepath.Join(dir, build.name+".wasm")
		if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if msg, err := exec.Command("wat2wasm", append(wat.Flags(build.relaxed), src, "-o", out)...).CombinedOutput(); err != nil {
			t.Fatalf("wat2wasm %s: %v\n%s", build.name, err, msg)
		}
		want, _ := os.ReadFile(out)
		if committed, err := os.ReadFile(build.name + ".wasm"); err != nil || !bytes.Equal(committed, want) {
			t.Errorf("%s.wasm is stale or missing (%v): run go generate ./wasm/kernels", build.name, err)
		}
	}
}

// TestRelaxedInNode runs check_relaxed.mjs: both builds in V8 (Node 20 needs
// --experimental-wasm-relaxed-simd), same exports, GEMMs equal to a float64
// reference.
func TestRelaxedInNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; the relaxed build is checked in Node 20 or in Chromium")
	}
	if out, err := exec.Command(node, "--experimental-wasm-relaxed-simd", "check_relaxed.mjs").CombinedOutput(); err != nil {
		t.Fatalf("check_relaxed.mjs: %v\n%s", err, out)
	}
}
