// Command gen writes the kernel modules' text (kernels.wat,
// kernels_relaxed.wat) and assembles them with wat2wasm (Debian: apt-get
// install wabt). Run it from wasm/kernels: go run ./gen
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"prefixtune/wasm/kernels/internal/wat"
)

func main() {
	dir := flag.String("dir", ".", "directory to write the .wat and .wasm files to")
	flag.Parse()
	for _, build := range []struct {
		name    string
		relaxed bool
	}{{"kernels", false}, {"kernels_relaxed", true}} {
		src := filepath.Join(*dir, build.name+".wat")
		if err := os.WriteFile(src, []byte(wat.Module(build.relaxed)), 0o644); err != nil {
			fail(err)
		}
		if out, err := exec.Command("wat2wasm", append(wat.Flags(build.relaxed), src, "-o", filepath.Join(*dir, build.name+".wasm"))...).CombinedOutput(); err != nil {
			fail(fmt.Errorf("wat2wasm %s: %v\n%s(is wabt installed? apt-get install wabt)", src, err, out))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
