package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/data"
	"prefixtune/tests/reference/fixture"
	"prefixtune/tests/reference/gpt2"
)

// runBoth runs prefixtune and returns its stdout and stderr.
func runBoth(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(args, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("prefixtune %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), errOut.String()
}

// writeCSV writes examples as a CSV file with the given header.
func writeCSV(t *testing.T, path string, header [2]string, exs []data.Example) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header[:])
	for _, ex := range exs {
		w.Write([]string{ex.Prompt, ex.Completion})
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// evalLoss runs eval --json on the fixture model and returns the loss.
func evalLoss(t *testing.T, args ...string) float64 {
	t.Helper()
	out, _ := runBoth(t, append([]string{"eval", "--model", gpt2.Fixtures.Path("model"), "--json"}, args...)...)
	var res struct{ Loss float64 }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("eval --json printed %q: %v", out, err)
	}
	return res.Loss
}

func fixtureExamples(t *testing.T) []data.Example {
	t.Helper()
	exs, err := data.Read(gpt2.Fixtures.Path("data.jsonl"), data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return exs
}

// TestColumnsAndTemplate reads the fixture data from a CSV file with other
// column names (PyTorch's loss), and with a template on the prompts (the
// loss of the same data with the template written out).
func TestColumnsAndTemplate(t *testing.T) {
	dir := t.TempDir()
	exs := fixtureExamples(t)
	mr := filepath.Join(dir, "mr.csv")
	writeCSV(t, mr, [2]string{"mr", "ref"}, exs)
	cols := []string{"--data", mr, "--prompt-column", "mr", "--completion-column", "ref"}
	var want float64
	gpt2.Fixtures.Expected(t, "eval.base.loss", &want)
	if got := evalLoss(t, cols...); !fixture.Near(got, want) {
		t.Errorf("loss of the CSV with columns mr,ref %.7g, PyTorch %.7g", got, want)
	}
	written := make([]data.Example, len(exs))
	for i, ex := range exs {
		written[i] = data.Example{Prompt: "Q: " + ex.Prompt + "\n", Completion: ex.Completion}
	}
	plain := filepath.Join(dir, "written.jsonl")
	if err := writeJSONL(plain, written); err != nil {
		t.Fatal(err)
	}
	templated := evalLoss(t, append(cols, "--template", `Q: {prompt}\n`)...)
	if wantT := evalLoss(t, "--data", plain); templated != wantT || templated == want {
		t.Errorf("loss with --template %.7g, with the template written out %.7g, without %.7g", templated, wantT, want)
	}
	var out, errOut bytes.Buffer
	if err := run(append([]string{"eval", "--model", gpt2.Fixtures.Path("model"), "--template", "no prompt"}, cols...), nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "{prompt}") {
		t.Errorf("a template without {prompt}: error %v", err)
	}
	if err := run([]string{"eval", "--model", gpt2.Fixtures.Path("model"), "--data", mr}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), `"mr", "ref"`) {
		t.Errorf("a CSV without the default columns and no column flags: error %v", err)
	}
	runBoth(t, append([]string{"train", "--model", gpt2.Fixtures.Path("model"), "--prefix-len", "2", "--steps", "1", "--out", filepath.Join(dir, "a"), "--template", `{prompt}\n`}, cols...)...)
}

// planted is the fixture data with rows planted to be cleaned away: white
// space to trim, an exact duplicate (up to case and punctuation), a near
// duplicate and an over-long row.
func planted(t *testing.T) (rows []data.Example, long string) {
	exs := fixtureExamples(t)
	long = strings.Repeat(" and the food is good", 8)
	rows = append(rows, exs[:3]...)
	rows = append(rows,
		data.Example{Prompt: "  " + exs[3].Prompt + "\t", Completion: exs[3].Completion + "  "},       // trimmed, kept
		data.Example{Prompt: "name[Aromi]  food[Chinese]", Completion: " aromi serves chinese food!"}, // exact duplicate of row 1
		data.Example{Prompt: "name[Zizzi]", Completion: " Zizzi is a pub" + long},                     // too long
	)
	rows = append(rows, exs[4:]...)
	rows = append(rows, data.Example{Prompt: exs[4].Prompt, Completion: exs[4].Completion + " Yes."}) // near duplicate of exs[4]
	return rows, long
}

func TestCleanDropsPlantedRows(t *testing.T) {
	dir := t.TempDir()
	rows, _ := planted(t)
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.jsonl")
	writeCSV(t, in, [2]string{"mr", "ref"}, rows)
	stdout, _ := runBoth(t, "clean", "--data", in, "--prompt-column", "mr", "--completion-column", "ref",
		"--model", gpt2.Fixtures.Path("model"), "--max-tokens", "40", "--out", out, "--json")
	var rep data.CleanReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if want := (data.CleanReport{Trimmed: 1, TooLong: 1, Exact: 1, Near: 1, Kept: 6}); rep != want {
		t.Errorf("report %+v, want %+v", rep, want)
	}
	kept, err := data.Read(out, data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	exs := fixtureExamples(t)
	if len(kept) != len(exs) {
		t.Fatalf("kept %d rows, want the %d fixture rows: %q", len(kept), len(exs), kept)
	}
	for i := range exs {
		if kept[i] != exs[i] {
			t.Errorf("kept row %d %q, want %q", i+1, kept[i], exs[i])
		}
	}
	// Without a token limit, and exact duplicates only.
	stdout, _ = runBoth(t, "clean", "--data", in, "--prompt-column", "mr", "--completion-column", "ref", "--near", "0", "--out", out)
	if !strings.Contains(stdout, "kept 8 of 9 rows: dropped 0 empty, 0 too long, 1 exact and 0 near duplicates; trimmed 1") {
		t.Errorf("clean printed %q", stdout)
	}
	var o, e bytes.Buffer
	if err := run([]string{"clean", "--data", in, "--max-tokens", "5", "--out", out}, nil, &o, &e); err == nil || !strings.Contains(err.Error(), "--model") {
		t.Errorf("--max-tokens without --model: error %v", err)
	}
	if err := run([]string{"clean", "--data", gpt2.Fixtures.Path("data.jsonl"), "--out", filepath.Join(dir, "out.csv")}, nil, &o, &e); err == nil || !strings.Contains(err.Error(), ".jsonl") {
		t.Errorf("--out to a .csv file: error %v", err)
	}
}

// TestTrainCleansAndWarnsOfLeaks trains with --clean on the planted rows
// and a validation file that repeats training rows.
func TestTrainCleansAndWarnsOfLeaks(t *testing.T) {
	dir := t.TempDir()
	rows, _ := planted(t)
	train, val := filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "val.jsonl")
	if err := writeJSONL(train, rows); err != nil {
		t.Fatal(err)
	}
	leaky := []data.Example{
		{Prompt: "name[Zizzi] food[French]", Completion: " Zizzi serves French food."},
		rows[1], // exact
		{Prompt: "name[Bibimbap]", Completion: " Bibimbap is a pub."},
		{Prompt: rows[6].Prompt, Completion: rows[6].Completion + " Yes."}, // near
	}
	if err := writeJSONL(val, leaky); err != nil {
		t.Fatal(err)
	}
	_, stderr := runBoth(t, "train", "--model", gpt2.Fixtures.Path("model"), "--data", train, "--val", val, "--clean",
		"--seq-len", "40", "--prefix-len", "2", "--steps", "2", "--batch-size", "4", "--out", filepath.Join(dir, "a"))
	for _, want := range []string{
		train + ": cleaned: kept 6 of 9 rows: dropped 0 empty, 1 too long, 1 exact and 1 near duplicates; trimmed 1",
		"warning: 2 of 4 rows of " + val + " also appear in " + train + " (1 exact, 1 near duplicates at similarity 0.9 or more): rows 2 (as its row 2), 4 (as its row 5);",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("train's stderr lacks %q:\n%s", want, stderr)
		}
	}
	// Without --clean the near duplicate planted in training is the closer match.
	_, stderr = runBoth(t, "train", "--model", gpt2.Fixtures.Path("model"), "--data", train, "--val", val,
		"--seq-len", "40", "--prefix-len", "2", "--steps", "1", "--out", filepath.Join(dir, "b"))
	if !strings.Contains(stderr, "(2 exact, 0 near duplicates at similarity 0.9 or more): rows 2 (as its row 2), 4 (as its row 9);") {
		t.Errorf("train's stderr without --clean:\n%s", stderr)
	}
	// eval --train reports the same rows; none when the files share nothing.
	_, stderr = runBoth(t, "eval", "--model", gpt2.Fixtures.Path("model"), "--data", val, "--train", train)
	if !strings.Contains(stderr, "warning: 2 of 4 rows of "+val) {
		t.Errorf("eval --train's stderr:\n%s", stderr)
	}
	clean := filepath.Join(dir, "clean.jsonl")
	if err := writeJSONL(clean, []data.Example{leaky[0], leaky[2]}); err != nil {
		t.Fatal(err)
	}
	if _, stderr = runBoth(t, "eval", "--model", gpt2.Fixtures.Path("model"), "--data", clean, "--train", train); stderr != "" {
		t.Errorf("eval of rows not in training warned:\n%s", stderr)
	}
}

// TestSplitByPrompt splits rows with several completions per prompt so that
// no prompt is on both sides.
func TestSplitByPrompt(t *testing.T) {
	dir := t.TempDir()
	var rows []data.Example
	prompts := []string{"name[A]", "name[B]", "name[C]", "name[D]", "name[E]", "name[F]", "name[G]", "name[H]"}
	for i, p := range prompts {
		for j := 0; j <= i%3; j++ {
			rows = append(rows, data.Example{Prompt: p, Completion: " " + p + strings.Repeat(" again", j)})
		}
	}
	in := filepath.Join(dir, "in.csv")
	writeCSV(t, in, [2]string{"mr", "ref"}, rows)
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	args := []string{"split", "--data", in, "--prompt-column", "mr", "--completion-column", "ref", "--val-frac", "0.25", "--seed", "3", "--train-out", a, "--val-out", b}
	stdout, _ := runBoth(t, append(args, "--by-prompt")...)
	train, errA := data.Read(a, data.Options{})
	val, errB := data.Read(b, data.Options{})
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if countPrompts(val) != 2 || len(train)+len(val) != len(rows) {
		t.Fatalf("split %d rows into %d and %d, %d prompts held out (want 2): %s", len(rows), len(train), len(val), countPrompts(val), stdout)
	}
	inTrain := map[string]bool{}
	for _, ex := range train {
		inTrain[ex.Prompt] = true
	}
	for _, ex := range val {
		if inTrain[ex.Prompt] {
			t.Errorf("prompt %q is in both parts", ex.Prompt)
		}
	}
	// The parts keep file order, so merging them by row gives the file.
	var merged []data.Example
	for i, j := 0, 0; i < len(train) || j < len(val); {
		if j == len(val) || (i < len(train) && train[i].Prompt < val[j].Prompt) {
			merged, i = append(merged, train[i]), i+1
		} else {
			merged, j = append(merged, val[j]), j+1
		}
	}
	for i := range rows {
		if merged[i] != rows[i] {
			t.Fatalf("row %d: %q after splitting, %q before", i+1, merged[i], rows[i])
		}
	}
	// By row, a quarter of the rows, whatever their prompts.
	runBoth(t, args...)
	if val, err := data.Read(b, data.Options{}); err != nil || len(val) != 4 {
		t.Errorf("split by row held out %d rows (%v), want 4 of %d", len(val), err, len(rows))
	}
}
