package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// recordResults replaces the Results section of dataset name's README
// with an evaluation report of `prefixtune eval --report` (its title
// dropped, its sections one level down) and the commands that made it.
func recordResults(datasets, name, reportPath, commands string) error {
	readme := filepath.Join(datasets, name, "README.md")
	old, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	report, err := os.ReadFile(reportPath)
	if err != nil {
		return err
	}
	body := string(report)
	if _, rest, ok := strings.Cut(body, "\n"); ok && strings.HasPrefix(body, "# ") {
		body = strings.TrimLeft(rest, "\n")
	}
	body = strings.ReplaceAll(body, "\n## ", "\n### ")
	section := fmt.Sprintf("%s\n\nRecorded by `make dataset-results`: the demo model without a prefix (zero-shot and few-shot) and with a prefix tuned on the training split, scored on the test split.\n\n```sh\n%s\n```\n\n%s",
		resultsHeading, strings.TrimSpace(commands), body)
	i := strings.Index(string(old), "\n"+resultsHeading+"\n")
	if i < 0 {
		return fmt.Errorf("%s has no %s section", readme, resultsHeading)
	}
	return os.WriteFile(readme, []byte(string(old)[:i+1]+section), 0o644)
}
