// Package deps enforces the dependency direction of DESIGN.md section 2:
// tensor <- model <- prefix/train <- wasm/engine, protocol <- ui, and the
// edge (worker/) imports nothing from core.
package deps

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// rule: packages matching from may not depend on anything matching a
// forbidden prefix.
type rule struct {
	from      string
	forbidden []string
}

var rules = []rule{
	{"prefixtune/core/", []string{"syscall/js", "prefixtune/wasm", "prefixtune/ui", "prefixtune/worker", "prefixtune/cmd", "github.com/vugu", "github.com/syumai"}},
	{"prefixtune/core/tensor", []string{"prefixtune/core/model", "prefixtune/core/prefix", "prefixtune/core/train", "prefixtune/core/data", "prefixtune/core/tokenizer"}},
	{"prefixtune/core/model", []string{"prefixtune/core/prefix", "prefixtune/core/train", "prefixtune/core/data", "prefixtune/core/tokenizer"}},
	{"prefixtune/core/prefix", []string{"prefixtune/core/train", "prefixtune/core/data"}},
	{"prefixtune/core/protocol", []string{"prefixtune/core/tensor", "prefixtune/core/model", "prefixtune/core/train"}},
	{"prefixtune/worker", []string{"prefixtune/core", "prefixtune/wasm", "prefixtune/ui"}},
	{"prefixtune/ui", []string{"prefixtune/core/tensor", "prefixtune/core/model", "prefixtune/core/train", "prefixtune/core/prefix", "prefixtune/wasm"}},
}

// deps lists every package of the module with its dependencies for the
// given GOOS/GOARCH: its own imports, and the non-standard packages it
// depends on transitively (the standard library itself reaches syscall/js
// in WebAssembly, so only direct imports count for it).
func deps(t *testing.T, goos, goarch string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, "prefixtune/...")
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		m[f[0]] = strings.Fields(f[1])
		for _, d := range strings.Fields(f[2]) {
			if first, _, _ := strings.Cut(d, "/"); strings.Contains(first, ".") || first == "prefixtune" {
				m[f[0]] = append(m[f[0]], d)
			}
		}
	}
	return m
}

func TestDependencyDirection(t *testing.T) {
	for _, target := range [][2]string{{"linux", "amd64"}, {"js", "wasm"}} {
		all := deps(t, target[0], target[1])
		if len(all) < 5 {
			t.Fatalf("go list found only %d packages", len(all))
		}
		for pkg, ds := range all {
			for _, r := range rules {
				if !strings.HasPrefix(pkg, r.from) {
					continue
				}
				for _, d := range ds {
					for _, f := range r.forbidden {
						if d == f || strings.HasPrefix(d, f+"/") || (strings.HasSuffix(f, "/") && strings.HasPrefix(d, f)) {
							t.Errorf("%s/%s: %s depends on %s, against the dependency direction", target[0], target[1], pkg, d)
						}
					}
				}
			}
		}
	}
}
