package main

import (
	"fmt"
	"strconv"

	"github.com/vugu/vugu"
)

// SampleClass styles a sample's card, marked when in use.
func (c *DataStep) SampleClass(name string) string {
	if c.App.Data.Sample == name && c.App.Data.Loaded != nil {
		return "card chosen"
	}
	return "card"
}

// CanUseSample enables the sample cards.
func (c *DataStep) CanUseSample() bool { return c.App.SamplesReady() && c.App.Idle() }

// DropClass styles the drop zone.
func (c *DataStep) DropClass() string {
	if c.dragging {
		return "dropzone over"
	}
	return "dropzone"
}

// Drag follows a file dragged over the drop zone.
func (c *DataStep) Drag(e vugu.DOMEvent, over bool) {
	e.PreventDefault()
	c.dragging = over
}

// Drop takes a dropped training file.
func (c *DataStep) Drop(e vugu.DOMEvent) {
	e.PreventDefault()
	c.dragging = false
	if files := c.App.host.EventFiles(e); len(files) > 0 {
		c.App.PickDataFile(files[0])
	}
}

// Picked takes the training file of the file input.
func (c *DataStep) Picked(e vugu.DOMEvent) {
	if files := c.App.host.EventFiles(e); len(files) > 0 {
		c.App.PickDataFile(files[0])
	}
}

// PickedVal takes the validation file of the file input.
func (c *DataStep) PickedVal(e vugu.DOMEvent) {
	if files := c.App.host.EventFiles(e); len(files) > 0 && c.App.Data.File != nil {
		c.App.PickValFile(&files[0])
	}
}

// ColClass marks the preview's columns by their role.
func (c *DataStep) ColClass(i int) string {
	d := &c.App.Data
	col := d.Preview.Columns[i]
	switch {
	case d.Preview.Format == "text":
		return "col-target"
	case d.Mode != ModeText && col == d.PromptCol:
		return "col-prompt"
	case d.Mode != ModeText && col == d.CompletionCol:
		return "col-target"
	case d.Mode == ModeText && col == d.TextCol:
		return "col-target"
	}
	return "col-unused"
}

// ColLabel is a column's header with its role.
func (c *DataStep) ColLabel(i int) string {
	col := c.App.Data.Preview.Columns[i]
	switch c.ColClass(i) {
	case "col-prompt":
		return col + " → prompt"
	case "col-target":
		return col + " → learnt"
	}
	return col + " (unused)"
}

// Mappable reports whether the file has fields to map.
func (c *DataStep) Mappable() bool {
	p := c.App.Data.Preview
	return p.Err == "" && p.Format != "text" && len(p.Columns) > 0
}

// HeldOver reports whether a validation file loaded earlier still serves:
// the engine keeps it until the page reloads.
func (c *DataStep) HeldOver() bool {
	d := &c.App.Data
	return d.ValFile == nil && d.engineVal != nil
}

// HeldOverLine says which earlier validation file serves, and how to drop
// it.
func (c *DataStep) HeldOverLine() string {
	return fmt.Sprintf("Validation and comparison use %s, loaded earlier: the engine keeps it until the page is reloaded. Pick a validation file above to replace it.",
		c.App.Data.engineVal.Name)
}

// PromptLabel and CompletionLabel name the two fields of a row.
func (c *DataStep) PromptLabel() string {
	if c.App.Data.Mode == ModeLabel {
		return "Text field"
	}
	return "Prompt field"
}

func (c *DataStep) CompletionLabel() string {
	if c.App.Data.Mode == ModeLabel {
		return "Label field"
	}
	return "Completion field"
}

// TemplateInvalid is aria-invalid of the template field.
func (c *DataStep) TemplateInvalid() any {
	if c.App.Data.TemplateErr != "" {
		return "true"
	}
	return nil
}

// HasFormatted reports whether the first row can be shown as the model
// reads it.
func (c *DataStep) HasFormatted() bool {
	_, _, ok := c.App.Data.Formatted()
	return ok
}

// FormattedPrompt and FormattedCompletion are the first row as the model
// reads it.
func (c *DataStep) FormattedPrompt() string {
	p, _, _ := c.App.Data.Formatted()
	return p
}

func (c *DataStep) FormattedCompletion() string {
	_, t, _ := c.App.Data.Formatted()
	return t
}

// FormattedBOS is the token the model reads before the prompt, if any
// (Llama-2's <s>).
func (c *DataStep) FormattedBOS() string {
	if m := c.App.Model.Loaded; m != nil {
		return m.BOS
	}
	return ""
}

// FormattedEOS is the end-of-text token after the completion.
func (c *DataStep) FormattedEOS() string {
	if m := c.App.Model.Loaded; m != nil && m.EOS != "" {
		return m.EOS
	}
	return "⟨end⟩"
}

// TestPercent is the test share in percent.
func (c *DataStep) TestPercent() string {
	return strconv.FormatFloat(100*c.App.Opts.TestFraction, 'g', 4, 64)
}

// ValPercent is the validation share in percent.
func (c *DataStep) ValPercent() string {
	return strconv.FormatFloat(100*c.App.Opts.ValFraction, 'g', 4, 64)
}

// CanLoad enables the button that loads the data.
func (c *DataStep) CanLoad() bool {
	ok, _ := c.App.CanLoadData()
	return ok
}

// WhyNot says why the data cannot be loaded.
func (c *DataStep) WhyNot() string {
	_, why := c.App.CanLoadData()
	return why
}

// ExamplesLine counts the training and held-out examples.
func (c *DataStep) ExamplesLine() string {
	d := &c.App.Data
	s := Count(d.Loaded.Examples) + " in " + d.Loaded.Name
	if d.ValLoaded != nil {
		s += fmt.Sprintf(", and %s for validation in %s", Count(d.ValLoaded.Examples), d.ValLoaded.Name)
	} else if f := c.App.Opts.ValFraction; f > 0 {
		s += fmt.Sprintf(", of which %s are held out for validation", Percent(f))
	}
	if t := d.TestLoaded; t != nil {
		return s + fmt.Sprintf("; %s for testing in %s", Count(t.Examples), t.Name)
	}
	if f := c.App.Opts.TestFraction; f > 0 {
		return s + fmt.Sprintf("; %s held out for testing", Percent(f))
	}
	return s
}

// LabelsLine counts the labels of a classification task, which Compare
// scores by their likelihood.
func (c *DataStep) LabelsLine() string {
	d := c.App.Data.Loaded
	s := fmt.Sprintf("%d distinct labels in the training file", d.Completions)
	if d.Completions > 50 {
		s += ": that many look like texts, not labels; read the rows as a prompt and its completion instead"
	}
	return s
}

// LengthLine gives the lengths of the examples in tokens.
func (c *DataStep) LengthLine() string {
	s := c.App.Data.Stats
	return fmt.Sprintf("%d to %d tokens, %.1f on average", s.MinLen, s.MaxLen, s.MeanLen)
}

// TokensLine counts all tokens and those that carry the loss.
func (c *DataStep) TokensLine() string {
	s := c.App.Data.Stats
	return fmt.Sprintf("%s in all; %s of them are learnt (completions and end tokens, after truncation)", Count(s.Tokens), Count(s.TargetTokens))
}

// TruncClass marks truncation as a warning when it hurts.
func (c *DataStep) TruncClass() string {
	if s := c.App.Data.Stats; s.NoTargets > 0 || s.Truncated*10 > s.Examples {
		return "warning"
	}
	return ""
}

// TruncLine says how many examples the sequence length cuts.
func (c *DataStep) TruncLine() string {
	s := c.App.Data.Stats
	if s.Truncated == 0 {
		return fmt.Sprintf("none: every example fits in %d tokens", s.SeqLen)
	}
	line := fmt.Sprintf("%s of %s examples (%s) are longer than %d tokens and are cut at the end",
		Count(s.Truncated), Count(s.Examples), Percent(float64(s.Truncated)/float64(max(1, s.Examples))), s.SeqLen)
	if s.NoTargets > 0 {
		line += fmt.Sprintf("; %s lose their whole completion and teach nothing. Use a longer sequence or shorter prompts", Count(s.NoTargets))
	}
	return line
}

// Bar is one bar of the length histogram, in the SVG's units.
type Bar struct {
	X, Y, W, H   float64
	Class        string
	Label, Title string
}

const histX0, histX1, histY0, histY1 = 30.0, 590.0, 8.0, 130.0

// Bars lays out the length histogram, bins side by side.
func (c *DataStep) Bars() []Bar {
	s := c.App.Data.Stats
	n := len(s.Histogram)
	if n == 0 {
		return nil
	}
	most := 1
	for _, b := range s.Histogram {
		most = max(most, b.Count)
	}
	slot := (histX1 - histX0) / float64(n)
	var bars []Bar
	lo := 0
	for i, b := range s.Histogram {
		h := (histY1 - histY0) * float64(b.Count) / float64(most)
		bar := Bar{X: histX0 + slot*float64(i) + slot*0.1, W: slot * 0.8, Y: histY1 - h, H: h, Class: "bar",
			Label: strconv.Itoa(b.Upto), Title: fmt.Sprintf("%d examples of %d to %d tokens", b.Count, lo+1, b.Upto)}
		if lo >= s.SeqLen {
			bar.Class = "bar cut"
		}
		bars = append(bars, bar)
		lo = b.Upto
	}
	return bars
}

// LimitX is where the sequence length falls on the histogram: after the
// last bin that fits, or 0 if all do.
func (c *DataStep) LimitX() float64 {
	s := c.App.Data.Stats
	n := len(s.Histogram)
	slot := (histX1 - histX0) / float64(max(1, n))
	for i, b := range s.Histogram {
		if b.Upto > s.SeqLen {
			if i == 0 {
				return histX0
			}
			return histX0 + slot*float64(i)
		}
	}
	return 0
}
