package main

import (
	"fmt"
	"strconv"

	"prefixtune/core/tune/presets"
)

// PresetClass marks the preset whose options are set.
func (c *TuneStep) PresetClass(key string) string {
	if c.App.Tune.Preset == key {
		return "preset chosen"
	}
	return "preset"
}

// Pressed is aria-pressed of a preset button.
func (c *TuneStep) Pressed(key string) string {
	if c.App.Tune.Preset == key {
		return "true"
	}
	return "false"
}

// ToggleMLP turns the reparameterisation on or off, with the size and
// learning rate of the task kind's preset (core/tune/presets).
func (c *TuneStep) ToggleMLP(on bool) {
	if on == (c.App.Opts.Projection > 0) {
		return
	}
	p, err := presets.For(c.App.TaskKind(), on)
	if err != nil {
		return
	}
	c.App.SetOption("projection", strconv.Itoa(p.Projection))
	c.App.SetOption("lr", strconv.FormatFloat(p.LR, 'g', -1, 64))
}

// Threads is the threads setting as the field shows it: all by default.
func (c *TuneStep) Threads() string {
	if n := c.App.Opts.Threads; n > 0 {
		return strconv.Itoa(n)
	}
	return strconv.Itoa(c.App.MaxThreads())
}

// ThreadsHelp says what the threads setting does here.
func (c *TuneStep) ThreadsHelp() string {
	if c.App.MaxThreads() == 1 {
		return "This page is not cross-origin isolated, so the engine computes on one thread."
	}
	return fmt.Sprintf("1 to %d. Fewer leave cores to other work; the next run uses the new value.", c.App.MaxThreads())
}

// SeqHelp says how long a sequence can be on this model.
func (c *TuneStep) SeqHelp() string {
	if m := c.App.Model.Loaded; m != nil {
		return fmt.Sprintf("Tokens per example; longer ones are cut. With the prefix, at most %d on this model.", m.Positions-c.App.Opts.PrefixLen)
	}
	return "Tokens per example; longer ones are cut."
}

// TrainedLine counts the trained parameters, as a share of the model.
func (c *TuneStep) TrainedLine() string {
	n, total := c.App.TrainedParams(), c.App.Model.Loaded.Params
	return fmt.Sprintf("%s, %s of the model's %s", Count(n), Percent(float64(n)/float64(max(1, total))), Count(total))
}

// SavedLine counts the parameters in the adapter file and its size.
func (c *TuneStep) SavedLine() string {
	n := c.App.SavedParams()
	return fmt.Sprintf("%s numbers (%s)", Count(n), Bytes(4*int64(n)))
}

// MemoryLine is the estimated memory of the run.
func (c *TuneStep) MemoryLine() string {
	e := c.App.Tune.Estimate
	if e == nil {
		return c.pending()
	}
	s := fmt.Sprintf("%s in all: weights %s, activations %s, prefix and optimiser %s",
		Bytes(e.TotalBytes), Bytes(e.WeightBytes), Bytes(e.ActivationBytes), Bytes(e.PrefixBytes))
	if c.tooBig() {
		s += fmt.Sprintf(". That is more than the %s this browser gives the engine: use a shorter sequence length or batch, or a smaller model", Bytes(e.BudgetBytes))
	}
	return s
}

// tooBig reports an estimated run that needs more memory than the engine has.
func (c *TuneStep) tooBig() bool {
	e := c.App.Tune.Estimate
	return e != nil && e.BudgetBytes > 0 && e.TotalBytes > e.BudgetBytes
}

// TimeLine is the estimated time of a step, an epoch and the run.
func (c *TuneStep) TimeLine() string {
	e := c.App.Tune.Estimate
	if e == nil {
		return c.pending()
	}
	if e.NotTimed != "" {
		return "not timed: " + e.NotTimed
	}
	s := fmt.Sprintf("about %s a step", Duration(e.StepSeconds))
	if c.App.Opts.Steps == 0 {
		s += fmt.Sprintf(", %s an epoch", Duration(c.App.EpochSeconds()))
	}
	return s + fmt.Sprintf("; %s steps in %s", Count(e.Steps), Duration(e.TotalSeconds))
}

func (c *TuneStep) pending() string {
	switch {
	case len(c.App.Tune.FieldErr) > 0:
		return "Fix the settings marked above."
	case c.App.Busy != "":
		return "Estimating when the engine is free…"
	}
	return "–"
}
