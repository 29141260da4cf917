package main

import (
	"path/filepath"
	"testing"

	"prefixtune/tests/browser/browsertest"
)

// A module against itself: every op is timed and the outputs are equal.
func TestCompareSame(t *testing.T) {
	root, err := browsertest.Root()
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(root, "wasm", "kernels", "kernels.wasm")
	results, err := compare(plain, plain, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 6 {
		t.Fatalf("%d ops compared, want 6: %+v", len(results), results)
	}
	for _, r := range results {
		if r.AMs <= 0 || r.BMs <= 0 || r.AOverB <= 0 || r.MaxRelDiff != 0 {
			t.Errorf("%+v: want positive times and equal outputs", r)
		}
	}
}
