package main

import (
	"fmt"
	"strconv"

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

// ScoreRow is one measure in the comparison table.
type ScoreRow struct {
	Key, Name, Base, Prefixed, Change, Class string
	BaseValue, PrefixedValue                 string // full precision, for machines
}

// Rows are the measures of both models: loss, perplexity and what they
// were measured on.
func (c *CompareStep) Rows() []ScoreRow {
	s := c.App.Compare.Scores
	if s.Base == nil || s.Prefixed == nil {
		return nil
	}
	b, p := s.Base, s.Prefixed
	better := func(lower bool) string {
		if lower {
			return "num better"
		}
		return "num worse"
	}
	full := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return []ScoreRow{
		{"loss", "Loss", fmt.Sprintf("%.4f", b.Loss), fmt.Sprintf("%.4f", p.Loss), fmt.Sprintf("%+.4f", p.Loss-b.Loss), better(p.Loss < b.Loss),
			full(b.Loss), full(p.Loss)},
		{"perplexity", "Perplexity", fmt.Sprintf("%.2f", b.Perplexity), fmt.Sprintf("%.2f", p.Perplexity),
			fmt.Sprintf("%+.1f %%", 100*(p.Perplexity/b.Perplexity-1)), better(p.Perplexity < b.Perplexity), full(b.Perplexity), full(p.Perplexity)},
		{"examples", "Examples", Count(b.Examples), Count(p.Examples), "", "num", strconv.Itoa(b.Examples), strconv.Itoa(p.Examples)},
		{"tokens", "Learnt tokens", Count(b.Tokens), Count(p.Tokens), "", "num", strconv.Itoa(b.Tokens), strconv.Itoa(p.Tokens)},
	}
}

// ProgressLine says how far the evaluation is.
func (c *CompareStep) ProgressLine() string {
	p := c.App.Compare.Progress
	return fmt.Sprintf("Scoring batch %d of %d", p.Step, p.Steps)
}

// StreamClass styles a generation as it arrives.
func (c *CompareStep) StreamClass(s Stream) string { return streamClass(s) }

// StreamText is a generation so far, or a placeholder.
func (c *CompareStep) StreamText(s Stream) string {
	switch {
	case s.Err != "":
		return s.Err
	case s.Text == "" && s.Running:
		return "…"
	case s.Text == "" && !s.Done:
		return "waiting"
	case s.Text == "":
		return "(nothing: the model ended the text at once)"
	}
	return s.Text
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
