package kernels

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/tests/browser/browsertest"
)

func TestInChromium(t *testing.T) {
	prog := filepath.Join(t.TempDir(), "inwasm.wasm")
	if err := browsertest.BuildWasm(prog, "prefixtune/tests/browser/kernels/inwasm", true); err != nil {
		t.Fatal(err)
	}
	files, err := browsertest.RunnerFiles()
	if err != nil {
		t.Fatal(err)
	}
	files["/inwasm.wasm"] = prog
	servers := map[bool]*browsertest.Server{}
	for _, isolated := range []bool{false, true} {
		s, err := browsertest.Serve(files, isolated)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		servers[isolated] = s
	}
	ctx, cancel, err := browsertest.Chromium(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)

	cases := []struct {
		isolated bool
		build    string
		threads  int
	}{
		{false, "auto", 4}, // no isolation: one thread over a plain memory whatever is asked
		{true, "plain", 1}, {true, "plain", 2}, {true, "plain", 4},
		{true, "relaxed", 1}, {true, "relaxed", 2}, {true, "relaxed", 4},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("isolated=%v/%s/%d", c.isolated, c.build, c.threads), func(t *testing.T) {
			r, err := browsertest.Run(ctx, servers[c.isolated].URL, browsertest.RunOptions{
				Wasm: "/inwasm.wasm", Args: []string{"-test.v"}, Threads: c.threads, Build: c.build,
			})
			if err != nil {
				t.Fatal(err)
			}
			threads, relaxed := c.threads, c.build != "plain"
			if !c.isolated {
				threads = 1
			}
			build := map[bool]string{false: "plain", true: "relaxed"}[relaxed]
			switch {
			case r.Error != "":
				t.Fatalf("the program did not run: %s\n%s", r.Error, r.Output)
			case r.Exit != 0:
				t.Fatalf("exit code %d:\n%s", r.Exit, r.Output)
			case r.Isolated != c.isolated || r.Shared != c.isolated:
				t.Fatalf("crossOriginIsolated %v and shared memory %v, want both %v", r.Isolated, r.Shared, c.isolated)
			case r.Threads != threads || r.Relaxed != relaxed:
				t.Fatalf("the pool has %d threads, relaxed %v; want %d, %v", r.Threads, r.Relaxed, threads, relaxed)
			case !strings.Contains(r.Output, fmt.Sprintf("device browser-%s/%d\n", build, threads)) || !strings.HasSuffix(r.Output, "PASS\n"):
				t.Fatalf("the output does not show the tests passing on browser-%s/%d:\n%s", build, threads, r.Output)
			}
			t.Logf("%d lines of test output", strings.Count(r.Output, "\n"))
		})
	}
}
