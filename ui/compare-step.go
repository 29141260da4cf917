package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
)

// CanCompare enables the evaluate button.
func (c *CompareStep) CanCompare() bool { return c.App.Idle() && c.App.HasPrefix() }

// WhyNot says why the models cannot be compared now.
func (c *CompareStep) WhyNot() string {
	switch {
	case !c.App.HasPrefix():
		return "Train a prefix first, or load one in Download."
	case c.App.Run.Status == StatusRunning:
		return "Pause the training to evaluate."
	case c.App.Busy != "":
		return c.App.BusyLine()
	}
	return ""
}

// Cell is one model's figure in the comparison table.
type Cell struct {
	Text     string // for people: the figure
	Interval string // its confidence interval, if any
	Value    string // the point value at full precision, for machines
	Class    string
}

// MetricRow is one measure of the comparison table, a cell per model.
type MetricRow struct {
	Key, Name string
	Cells     []Cell
}

// Reports are the models scored, in the table's column order.
func (c *CompareStep) Reports() []protocol.Report {
	if r := c.App.Compare.Result; r != nil {
		return r.Reports
	}
	return nil
}

// Rows are the measures of every model, as `prefixtune eval --report`
// writes them: examples, target tokens, loss and perplexity, then the
// metrics of the task, each with its bootstrap interval. The best figure
// of a row is marked.
func (c *CompareStep) Rows() []MetricRow {
	reps := c.Reports()
	if len(reps) == 0 {
		return nil
	}
	full := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

	var rows []MetricRow
	plain := func(key, name string, cell func(protocol.Report) Cell) {
		r := MetricRow{Key: key, Name: name}
		for _, rep := range reps {
			r.Cells = append(r.Cells, cell(rep))
		}
		rows = append(rows, r)
	}
	// metric adds a row of intervals, marking the best point (the lowest
	// when lower is better).
	metric := func(key, name string, digits int, lower bool, get func(protocol.Report) *protocol.Interval) {
		best, tie, any := -1, false, false
		for i, rep := range reps {
			v := get(rep)
			if v == nil {
				continue
			}
			any = true
			// Figures equal as shown are a tie.
			shown := func(x float64) string { return fmt.Sprintf("%.*f", digits, x) }
			switch b := get(reps[max(best, 0)]); {
			case best >= 0 && shown(v.Point) == shown(b.Point):
				tie = true
			case best < 0 || (lower && v.Point < b.Point) || (!lower && v.Point > b.Point):
				best, tie = i, false
			}
		}
		if !any {
			return
		}
		if tie {
			best = -1 // no single best
		}
		i := 0
		plain(key, name, func(rep protocol.Report) Cell {
			defer func() { i++ }()
			v := get(rep)
			if v == nil {
				return Cell{Text: "—", Class: "num"}
			}
			class := "num"
			if i == best && len(reps) > 1 {
				class = "num best"
			}
			return Cell{Text: fmt.Sprintf("%.*f", digits, v.Point), Interval: fmt.Sprintf("[%.*f, %.*f]", digits, v.Lo, digits, v.Hi),
				Value: full(v.Point), Class: class}
		})
	}
	plain("examples", "Examples (prompts)", func(r protocol.Report) Cell {
		return Cell{Text: fmt.Sprintf("%s (%s)", Count(r.Examples), Count(r.Prompts)), Value: strconv.Itoa(r.Examples), Class: "num"}
	})
	plain("tokens", "Target tokens", func(r protocol.Report) Cell {
		return Cell{Text: Count(r.Tokens), Value: strconv.Itoa(r.Tokens), Class: "num"}
	})
	metric("loss", "Loss", 4, true, func(r protocol.Report) *protocol.Interval { return &r.Loss })
	metric("perplexity", "Perplexity", 2, true, func(r protocol.Report) *protocol.Interval {
		return &protocol.Interval{Point: r.Perplexity, Lo: math.Exp(r.Loss.Lo), Hi: math.Exp(r.Loss.Hi)}
	})
	metric("bleu", "BLEU", 2, false, func(r protocol.Report) *protocol.Interval { return r.BLEU })
	metric("rouge-l", "ROUGE-L", 2, false, func(r protocol.Report) *protocol.Interval { return r.RougeL })
	metric("exact-match", "Exact match", 3, false, func(r protocol.Report) *protocol.Interval { return r.ExactMatch })
	metric("accuracy", "Accuracy", 3, false, func(r protocol.Report) *protocol.Interval { return r.Accuracy })
	metric("macro-f1", "Macro-F1", 3, false, func(r protocol.Report) *protocol.Interval { return r.MacroF1 })
	for _, rep := range reps {
		if rep.Regression != nil {
			plain("rmse-mae", "RMSE / MAE (unparsed)", func(r protocol.Report) Cell {
				g := r.Regression
				if g == nil {
					return Cell{Text: "—", Class: "num"}
				}
				return Cell{Text: fmt.Sprintf("%.3g / %.3g (%d)", g.RMSE, g.MAE, g.Unparsed), Value: full(g.RMSE), Class: "num"}
			})
			break
		}
	}
	return rows
}

// About says what was scored and how to read the table.
func (c *CompareStep) About() string {
	s := "Scored on " + c.App.Compare.Held + ". Loss and perplexity: lower is better; the other measures: higher is better (★ marks the best of a row)."
	if reps := c.Reports(); len(reps) > 0 {
		l := reps[0].Loss
		s += fmt.Sprintf(" In brackets, %.0f%% bootstrap intervals over %s resamples.", 100*l.Level, Count(l.Resamples))
	}
	return s
}

// ColumnTitle names a model's column for people.
func (c *CompareStep) ColumnTitle(r protocol.Report) string {
	switch r.Kind {
	case protocol.ReportZeroShot:
		return "Base model, zero-shot"
	case protocol.ReportFewShot:
		return "Base model, " + strings.TrimPrefix(r.Name, "base, ")
	}
	return "With the prefix"
}

// ParamsLine says what the prefix trains, as a share of the model.
func (c *CompareStep) ParamsLine() string {
	r := c.App.Compare.Result
	if r == nil || r.ModelParams == 0 || r.PrefixParams == 0 {
		return ""
	}
	s := fmt.Sprintf("The prefix holds %s numbers, %s of the model's %s frozen parameters", Count(r.PrefixParams),
		Percent(float64(r.PrefixParams)/float64(r.ModelParams)), Count(r.ModelParams))
	if r.TrainedParams != r.PrefixParams {
		s += fmt.Sprintf("; its run trains %s through the MLP (%s of the model)", Count(r.TrainedParams), Percent(float64(r.TrainedParams)/float64(r.ModelParams)))
	}
	return s + "."
}

// SampleRow is one held-out prompt with its references and each model's
// greedy output.
type SampleRow struct {
	Prompt, References string
	Outputs            []string
}

// Samples lines up the samples of every model by prompt.
func (c *CompareStep) Samples() []SampleRow {
	reps := c.Reports()
	if len(reps) == 0 {
		return nil
	}
	var rows []SampleRow
	for i, s := range reps[0].Samples {
		row := SampleRow{Prompt: s.Prompt, References: strings.Join(s.References, " | ")}
		for _, rep := range reps {
			out := "—"
			if i < len(rep.Samples) {
				out = rep.Samples[i].Output
				if out == "" {
					out = "(nothing: the model ended the text at once)"
				}
			}
			row.Outputs = append(row.Outputs, out)
		}
		rows = append(rows, row)
	}
	return rows
}

// ProgressLine says how far the evaluation is.
func (c *CompareStep) ProgressLine() string {
	p := c.App.Compare.Progress
	if p.Steps == 0 {
		return "Starting the evaluation…"
	}
	return fmt.Sprintf("Scoring %s: %s of %s batches and prompts", p.Task, Count(p.Step), Count(p.Steps))
}

// SetMaxNew sets the tokens generated per prompt.
func (c *CompareStep) SetMaxNew(text string) {
	if v, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && v >= 1 && v <= 512 {
		c.App.Compare.MaxNew = v
	}
}

// Generates reports whether Compare generates (a prompt and its
// completion), so that the tokens per prompt matter.
func (c *CompareStep) Generates() bool { return c.App.Data.Mode == ModePair }

// SetShots sets the few-shot baseline's examples.
func (c *CompareStep) SetShots(text string) {
	if v, err := strconv.Atoi(strings.TrimSpace(text)); err == nil && v >= 0 && v <= 16 {
		c.App.Compare.Shots = v
	}
}

func streamClass(s Stream) string {
	switch {
	case s.Err != "":
		return "text generated failed"
	case s.Running:
		return "text generated running"
	}
	return "text generated"
}

// Key generates on Ctrl+Enter (or Cmd+Enter).
func (c *TryStep) Key(e vugu.DOMEvent) {
	if e.PropString("key") == "Enter" && (e.PropBool("ctrlKey") || e.PropBool("metaKey")) {
		e.PreventDefault()
		c.App.Try.Prompt = e.PropString("target", "value")
		c.App.TryBoth()
	}
}

// SetInt sets a whole-number setting of the playground, ignoring what
// is not one.
func (c *TryStep) SetInt(dst *int, text string) {
	var v int
	if _, err := fmt.Sscan(text, &v); err == nil && v >= 0 {
		*dst = v
	}
}

// SetTemperature sets the sampling temperature.
func (c *TryStep) SetTemperature(text string) {
	var v float64
	if _, err := fmt.Sscan(text, &v); err == nil && v >= 0 {
		c.App.Try.Temperature = v
	}
}

// SetSeed sets the sampling seed.
func (c *TryStep) SetSeed(text string) {
	var v uint64
	if _, err := fmt.Sscan(text, &v); err == nil && v < 1<<53 {
		c.App.Try.Seed = v
	}
}

// TemplateLabel offers to write the prompt into the template.
func (c *TryStep) TemplateLabel() string {
	return "Write the prompt into the template " + c.App.Data.Template + ", as in training"
}

// Generating reports whether a generation is running.
func (c *TryStep) Generating() bool { return c.App.Try.Base.Running || c.App.Try.Prefixed.Running }

// StreamClass styles a generation as it arrives.
func (c *TryStep) StreamClass(s Stream) string { return streamClass(s) }

// PrefixedText is the prefixed generation, or why there is none.
func (c *TryStep) PrefixedText() string {
	if !c.App.HasPrefix() {
		return "No prefix yet: train one, or load one in Download."
	}
	return c.App.Try.Prefixed.Text
}

// CanExport enables the download button.
func (c *DownloadStep) CanExport() bool { return c.App.Idle() && c.App.HasPrefix() }

// WhyNot says why the adapter cannot be downloaded now.
func (c *DownloadStep) WhyNot() string {
	switch {
	case !c.App.HasPrefix():
		return "Train a prefix first."
	case c.App.Run.Status == StatusRunning:
		return "Pause the training to download the prefix so far."
	case c.App.Busy != "":
		return c.App.BusyLine()
	}
	return ""
}

// Picked loads the adapter files of the file input.
func (c *DownloadStep) Picked(e vugu.DOMEvent) {
	if files := c.App.host.EventFiles(e); len(files) > 0 {
		c.App.ImportAdapter(files)
	}
}

// ImportedLine describes the loaded prefix.
func (c *DownloadStep) ImportedLine() string {
	ad := c.App.Adapter.Imported
	s := fmt.Sprintf("Loaded a prefix of %d virtual tokens", ad.VirtualTokens)
	if ad.BaseModel != "" {
		s += " made for " + ad.BaseModel
	}
	if c.App.Opts.Init != protocol.InitAdapter {
		return s + `. Compare and Try now use it; to keep training it, choose "from the loaded prefix" in Tune.`
	}
	return s + "."
}
