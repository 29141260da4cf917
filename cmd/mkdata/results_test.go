package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordResults(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(dir, "d", "README.md")
	os.WriteFile(readme, []byte("# d\n\n## Rows\n\nx\n\n"+pendingResults), 0o644)
	report := filepath.Join(dir, "report.md")
	os.WriteFile(report, []byte("# Evaluation\n\n| metric | prefix |\n|---|---|\n| loss | 1.0 |\n\n## Settings\n\n- model: m\n"), 0o644)
	for i := 0; i < 2; i++ { // recording twice replaces, not appends
		if err := recordResults(dir, "d", report, "prefixtune train ..."); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(readme)
	want := "# d\n\n## Rows\n\nx\n\n## Results\n\nRecorded by `make dataset-results`"
	if !strings.HasPrefix(string(got), want) || strings.Count(string(got), "## Results") != 1 ||
		!strings.Contains(string(got), "```sh\nprefixtune train ...\n```") || !strings.Contains(string(got), "### Settings") || strings.Contains(string(got), "# Evaluation") {
		t.Errorf("README:\n%s", got)
	}
}
