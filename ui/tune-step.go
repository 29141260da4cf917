package main

import "fmt"

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

// ToggleMLP turns the reparameterisation on (with the paper's 512 and
// learning rate) or off (with the large learning rate it needs then).
func (c *TuneStep) ToggleMLP(on bool) {
	switch {
	case on && c.App.Opts.Projection == 0:
		c.App.SetOption("projection", "512")
		c.App.SetOption("lr", "5e-5")
	case !on && c.App.Opts.Projection > 0:
		c.App.SetOption("projection", "0")
		c.App.SetOption("lr", "5e-3")
	}
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
	return fmt.Sprintf("%s in all: weights %s, activations %s, prefix and optimiser %s",
		Bytes(e.TotalBytes), Bytes(e.WeightBytes), Bytes(e.ActivationBytes), Bytes(e.PrefixBytes))
}

// TimeLine is the estimated time of a step, an epoch and the run.
func (c *TuneStep) TimeLine() string {
	e := c.App.Tune.Estimate
	if e == nil {
		return c.pending()
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
