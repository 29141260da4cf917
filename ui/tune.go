package main

import (
	"fmt"
	"strconv"
	"strings"

	"prefixtune/core/protocol"
	"prefixtune/core/tune/presets"
)

// TuneState is the Tune step.
type TuneState struct {
	Preset   string
	Estimate *protocol.Estimated
	Err      string            // the engine's answer to Estimate
	FieldErr map[string]string // a field's value that was refused, by option name
}

// DefaultOptions are the command's defaults (the paper's setting without
// the MLP) with the learning rate spelt out.
func DefaultOptions() protocol.TrainOptions {
	o := protocol.DefaultTrainOptions()
	o.LR = 5e-3
	return o
}

// Presets are core/tune/presets': the paper's settings per task kind,
// with and without the MLP, and a quick look.
var Presets = presets.All

// applyPreset sets the options a preset holds.
func applyPreset(o *protocol.TrainOptions, p presets.Preset) {
	o.PrefixLen, o.Projection, o.LR, o.Schedule, o.Warmup, o.Epochs, o.Steps, o.BatchSize =
		p.PrefixLen, p.Projection, p.LR, p.Schedule, p.Warmup, p.Epochs, p.Steps, p.BatchSize
}

// ApplyPreset sets the options of the preset name.
func (a *App) ApplyPreset(name string) {
	p, err := presets.Find(name)
	if err != nil {
		return
	}
	applyPreset(&a.Opts, p)
	a.Tune.Preset, a.Tune.FieldErr = name, nil
	a.optionsChanged(true)
}

// TaskKind is the kind of task of the data, for the presets: a label per
// text is classification, anything else generation.
func (a *App) TaskKind() string {
	if a.Data.Mode == ModeLabel {
		return presets.Classification
	}
	return presets.Generation
}

// SetOption sets the option name (its JSON name in TrainOptions) from the
// text of a form field, or records why the text is refused.
func (a *App) SetOption(name, text string) {
	o := &a.Opts
	text = strings.TrimSpace(text)
	if a.Tune.FieldErr == nil {
		a.Tune.FieldErr = map[string]string{}
	}
	delete(a.Tune.FieldErr, name)
	fail := func(msg string) { a.Tune.FieldErr[name] = msg }
	integer := func(dst *int, lo int, what string) {
		v, err := strconv.Atoi(text)
		if err != nil || v < lo {
			fail(fmt.Sprintf("%s must be a whole number of at least %d.", what, lo))
			return
		}
		*dst = v
	}
	real := func(dst *float64, lo, hi float64, what string) {
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || v < lo || v > hi {
			fail(fmt.Sprintf("%s must be a number from %g to %g.", what, lo, hi))
			return
		}
		*dst = v
	}
	describe := false
	switch name {
	case "prefix_len":
		integer(&o.PrefixLen, 1, "The prefix length")
		describe = true
	case "init":
		o.Init = text
	case "init_text":
		o.InitText = text
		if o.Init == protocol.InitText && text == "" {
			fail("Type a few words to start the prefix from.")
		}
	case "projection":
		integer(&o.Projection, 0, "The MLP size")
	case "lr":
		real(&o.LR, 1e-7, 1, "The learning rate")
	case "schedule":
		o.Schedule = text
	case "warmup":
		integer(&o.Warmup, 0, "Warm-up")
	case "epochs":
		integer(&o.Epochs, 1, "Epochs")
	case "steps":
		integer(&o.Steps, 0, "Steps")
	case "batch_size":
		integer(&o.BatchSize, 1, "The batch size")
	case "seq_len":
		integer(&o.SeqLen, 1, "The sequence length")
		describe = true
	case "weight_decay":
		real(&o.WeightDecay, 0, 1, "Weight decay")
	case "clip":
		real(&o.Clip, 0, 1e6, "Clipping")
	case "seed":
		v, err := strconv.ParseUint(text, 10, 53)
		if err != nil {
			fail("The seed must be a whole number below 2^53.")
		} else {
			o.Seed = v
		}
	case "val_fraction":
		var pct float64
		real(&pct, 0, 90, "The validation share")
		o.ValFraction = pct / 100
	case "save_every":
		integer(&o.SaveEvery, 0, "Autosave")
	case "threads":
		integer(&o.Threads, 1, "Threads")
		if most := a.MaxThreads(); o.Threads > most {
			fail(fmt.Sprintf("Threads must be from 1 to %d, the threads of this browser's kernel pool.", most))
			o.Threads = most
		}
	case "test_fraction":
		var pct float64
		real(&pct, 0, 50, "The test share")
		o.TestFraction = pct / 100
	default:
		fail("unknown option " + name)
	}
	if m := a.Model.Loaded; m != nil && o.PrefixLen+o.SeqLen > m.Positions {
		a.Tune.FieldErr["seq_len"] = fmt.Sprintf("The prefix and the sequence together must fit the model's %d positions: at most %d tokens with a prefix of %d.",
			m.Positions, m.Positions-o.PrefixLen, o.PrefixLen)
	}
	a.Tune.Preset = ""
	a.optionsChanged(describe)
}

// MaxThreads is the most threads a run can compute on: the kernel pool's
// (at most navigator.hardwareConcurrency; 1 without cross-origin
// isolation).
func (a *App) MaxThreads() int { return max(1, a.Engine.PoolThreads) }

// optionsChanged asks again for the estimate, and the token statistics
// when the lengths changed.
func (a *App) optionsChanged(describe bool) {
	a.Tune.Estimate = nil
	if len(a.Tune.FieldErr) > 0 {
		return
	}
	if describe {
		a.Describe() // estimates when done
	} else {
		a.estimate()
	}
}

// estimate asks the engine for the memory and time of a run with the
// options, if the engine is free.
func (a *App) estimate() {
	if a.Data.Loaded == nil || !a.Idle() || len(a.Tune.FieldErr) > 0 {
		return
	}
	a.Tune.Err = ""
	sent := a.Opts
	a.start("Estimating", protocol.Estimate{Options: sent}, nil, func(e protocol.Event) {
		if a.Opts != sent { // changed meanwhile
			a.estimate()
			return
		}
		switch e := e.(type) {
		case protocol.Estimated:
			a.Tune.Estimate = &e
		case protocol.Error:
			a.Tune.Err = errorText(e)
		}
	})
}

// TrainedParams counts the parameters a run trains: the prefix's keys and
// values for every layer, or with the MLP its embedding and two layers.
func (a *App) TrainedParams() int {
	m := a.Model.Loaded
	if m == nil {
		return 0
	}
	o := a.Opts
	out := m.Layers * 2 * m.Embd
	if o.Projection == 0 {
		return o.PrefixLen * out
	}
	e := o.Projection
	return o.PrefixLen*m.Embd + m.Embd*e + e + e*out + out
}

// SavedParams counts the parameters of the adapter file: the prefix's
// keys and values (the MLP is dropped at export).
func (a *App) SavedParams() int {
	if m := a.Model.Loaded; m != nil {
		return a.Opts.PrefixLen * m.Layers * 2 * m.Embd
	}
	return 0
}

// EpochSeconds is the estimated time of one pass over the data.
func (a *App) EpochSeconds() float64 {
	e, d := a.Tune.Estimate, a.Data.Loaded
	if e == nil || d == nil {
		return 0
	}
	train := float64(d.Examples)
	if a.Data.ValLoaded == nil {
		train *= 1 - a.Opts.ValFraction
	}
	steps := (int(train) + a.Opts.BatchSize - 1) / a.Opts.BatchSize
	return float64(steps) * e.StepSeconds
}
