package evaluate

import (
	"fmt"
	"io"
	"strings"

	"prefixtune/core/metrics"
)

// WriteMarkdown writes reports side by side as a Markdown table, then the
// settings (name -> value, in the given order) and each report's samples.
func WriteMarkdown(w io.Writer, title string, reports []Report, settings [][2]string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	b.WriteString("| metric |")
	for _, r := range reports {
		fmt.Fprintf(&b, " %s |", r.Name)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", len(reports)))
	b.WriteString("\n")
	row := func(name string, cell func(Report) string) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, r := range reports {
			fmt.Fprintf(&b, " %s |", cell(r))
		}
		b.WriteString("\n")
	}
	ci := func(get func(Report) *metrics.Interval, format string) func(Report) string {
		return func(r Report) string {
			i := get(r)
			if i == nil {
				return "—"
			}
			return fmt.Sprintf(format+" ["+format+", "+format+"]", i.Point, i.Lo, i.Hi)
		}
	}
	row("examples (prompts)", func(r Report) string { return fmt.Sprintf("%d (%d)", r.Examples, r.Prompts) })
	row("target tokens", func(r Report) string { return fmt.Sprint(r.Tokens) })
	row("loss", ci(func(r Report) *metrics.Interval { return &r.Loss }, "%.4f"))
	row("perplexity", func(r Report) string { return fmt.Sprintf("%.2f", r.Perplexity) })
	has := func(get func(Report) *metrics.Interval) bool {
		for _, r := range reports {
			if get(r) != nil {
				return true
			}
		}
		return false
	}
	for _, m := range []struct {
		name, format string
		get          func(Report) *metrics.Interval
	}{
		{"BLEU", "%.2f", func(r Report) *metrics.Interval { return r.BLEU }},
		{"ROUGE-L", "%.2f", func(r Report) *metrics.Interval { return r.RougeL }},
		{"exact match", "%.3f", func(r Report) *metrics.Interval { return r.ExactMatch }},
		{"accuracy", "%.3f", func(r Report) *metrics.Interval { return r.Accuracy }},
		{"macro-F1", "%.3f", func(r Report) *metrics.Interval { return r.MacroF1 }},
	} {
		if has(m.get) {
			row(m.name, ci(m.get, m.format))
		}
	}
	for _, r := range reports {
		if r.Regression != nil {
			row("RMSE / MAE (unparsed)", func(r Report) string {
				if r.Regression == nil {
					return "—"
				}
				return fmt.Sprintf("%.3g / %.3g (%d)", r.Regression.RMSE, r.Regression.MAE, r.Regression.Unparsed)
			})
			break
		}
	}
	if len(reports) > 0 {
		l := reports[0].Loss
		fmt.Fprintf(&b, "\nIntervals are %.0f%% bootstrap percentile intervals over %d resamples.\n", 100*l.Level, l.Resamples)
	}
	if len(settings) > 0 {
		b.WriteString("\n## Settings\n\n")
		for _, s := range settings {
			fmt.Fprintf(&b, "- %s: %s\n", s[0], s[1])
		}
	}
	for _, r := range reports {
		if len(r.Samples) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## Samples: %s\n\n", r.Name)
		for _, s := range r.Samples {
			fmt.Fprintf(&b, "- prompt: `%s`\n  - output: %s\n  - reference: %s\n", oneLine(s.Prompt), oneLine(s.Output), oneLine(s.References[0]))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine shows newlines visibly so a sample stays on one Markdown line.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", `\n`) }
