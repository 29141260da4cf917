package site

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps worker/ apart from the engine: nothing in it, the
// Worker included, depends on prefixtune/core, and the shared handler and
// mirror import neither syscall/js nor the Workers runtime themselves.
func TestDependencies(t *testing.T) {
	goList := func(args ...string) []string {
		cmd := exec.Command("go", append([]string{"list"}, args...)...)
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %s: %v", args, err)
		}
		return strings.Fields(strings.NewReplacer("[", " ", "]", " ").Replace(string(out)))
	}
	for _, dep := range goList("-deps", "prefixtune/worker/...") {
		if strings.HasPrefix(dep, "prefixtune/core") {
			t.Errorf("worker depends on %s", dep)
		}
	}
	for _, imp := range goList("-f", "{{.Imports}}", "prefixtune/worker/site", "prefixtune/worker/mirror") {
		if imp == "syscall/js" || strings.HasPrefix(imp, "github.com/syumai/") {
			t.Errorf("worker/site or worker/mirror imports %s", imp)
		}
	}
}
