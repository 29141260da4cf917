package main

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent runs vugugen on a copy of the components and
// compares its output with the committed 0_components_gen.go.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ui")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".vugu") && (!strings.HasSuffix(f, ".go") || f == "0_components_gen.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "tool", "vugugen", "-s", "-skip-go-mod", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go tool vugugen: %v\n%s", err, out)
	}
	want, err := os.ReadFile(filepath.Join(dir, "0_components_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if want, err = format.Source(want); err != nil {
		t.Fatalf("vugugen wrote invalid Go: %v", err)
	}
	got, err := os.ReadFile("0_components_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("0_components_gen.go is stale: run `go generate ./ui` and commit it")
	}
	for _, extra := range []string{"go.mod", "0_missing_gen.go"} {
		if _, err := os.Stat(filepath.Join(dir, extra)); err == nil {
			t.Errorf("vugugen wrote %s: a component's type is missing or the flags changed", extra)
		}
	}
}

// TestVuguScriptIsCurrent checks public/vugu.js against the vugu module
// that go.mod requires.
func TestVuguScriptIsCurrent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "vugu.js")
	if msg, err := exec.Command("go", "run", "./internal/vugujs", out).CombinedOutput(); err != nil {
		t.Fatalf("go run ./internal/vugujs: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../public/vugu.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("public/vugu.js is stale: run `go generate ./ui` and commit it")
	}
	// public/ui.js recognises the script by its start.
	ui, err := os.ReadFile("../public/ui.js")
	if err != nil {
		t.Fatal(err)
	}
	const start = "(function(){if(window.vuguRender)return;"
	if !strings.Contains(string(got), "\n"+start) || !strings.Contains(string(ui), "'"+start+"'") {
		t.Errorf("vugu.js no longer starts with %s, which public/ui.js looks for", start)
	}
}
