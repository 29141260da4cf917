package main

import (
	"fmt"
	"strconv"
	"strings"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
)

// CanTrain enables the start button.
func (c *TrainStep) CanTrain() bool {
	ok, _ := c.App.CanTrain()
	return ok
}

// WhyNot says why training cannot start.
func (c *TrainStep) WhyNot() string {
	if c.App.Run.Status == StatusRunning {
		return ""
	}
	_, why := c.App.CanTrain()
	return why
}

// TrainLabel names the start button.
func (c *TrainStep) TrainLabel() string {
	if c.App.Run.Status == "" {
		return "Start training"
	}
	return "Start a new run"
}

// CanPause enables the pause button: pausing a run, or resuming one.
func (c *TrainStep) CanPause() bool {
	switch c.App.Run.Status {
	case StatusRunning:
		return !c.App.Run.Pausing
	case protocol.StatusPaused, StatusCancelled:
		return c.App.Idle()
	}
	return false
}

// PauseLabel names the pause button's action.
func (c *TrainStep) PauseLabel() string {
	switch {
	case c.App.Run.Pausing:
		return "Pausing…"
	case c.App.Run.Status == protocol.StatusPaused || c.App.Run.Status == StatusCancelled:
		return "Resume"
	}
	return "Pause"
}

// PauseOrResume pauses a running run or resumes a paused one.
func (c *TrainStep) PauseOrResume() {
	if c.App.Run.Status == StatusRunning {
		c.App.Pause()
	} else {
		c.App.Resume()
	}
}

// ProgressLine says where the run is.
func (c *TrainStep) ProgressLine() string {
	r := &c.App.Run
	switch r.Status {
	case StatusRunning:
		switch r.Phase {
		case protocol.PhaseInit, "":
			return "Preparing the run…"
		case protocol.PhaseCheckpoint:
			return fmt.Sprintf("Step %d of %d: saving a checkpoint…", r.Step, r.Steps)
		}
		if w := r.Last.Within; w > 0 && r.Last.Step == r.Step {
			return fmt.Sprintf("Step %d of %d; step %d is %.0f%% done", r.Step, r.Steps, r.Step+1, 100*w)
		}
		return fmt.Sprintf("Step %d of %d", r.Step, r.Steps)
	case protocol.StatusPaused:
		return fmt.Sprintf("Paused at step %d of %d; saved in this browser", r.Step, r.Steps)
	case StatusCancelled:
		return fmt.Sprintf("Stopped at step %d of %d", r.Step, r.Steps)
	case StatusFailed:
		if r.Steps == 0 { // the run could not be set up (say, out of memory)
			return "Failed before the first step"
		}
		return fmt.Sprintf("Failed at step %d of %d", r.Step, r.Steps)
	}
	return fmt.Sprintf("Done: %d steps", r.Steps)
}

// Announcement is what the page tells a screen reader about the run: its
// start, then how it ended or paused, and not every step (ProgressLine
// changes each step; this stays the same while the run goes on).
func (c *TrainStep) Announcement() string {
	r := &c.App.Run
	switch r.Status {
	case "":
		return ""
	case StatusRunning:
		return "Training started"
	}
	return c.ProgressLine()
}

// LastLoss is the latest training loss (of a step that was not undone).
func (c *TrainStep) LastLoss() string {
	if l, ok := c.App.Run.LastGood(); ok {
		return Loss(l.Loss)
	}
	return "not finite"
}

// RecoveredLine tells of the steps that were not finite and were undone.
func (c *TrainStep) RecoveredLine() string {
	steps := c.App.Run.Recovered()
	switch len(steps) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("Step %d came out not finite (NaN or infinity). It was undone, the prefix went back to its last good state and the learning rate was halved; training went on.", steps[0])
	}
	list := make([]string, len(steps))
	for i, s := range steps {
		list[i] = strconv.Itoa(s)
	}
	return fmt.Sprintf("Steps %s came out not finite (NaN or infinity). Each was undone, the prefix went back to its last good state and the learning rate was halved; training went on.", strings.Join(list, ", "))
}

// LastLR is the latest learning rate.
func (c *TrainStep) LastLR() float64 { return c.App.Run.Log[len(c.App.Run.Log)-1].LR }

// ValLine is the latest validation loss, or when it comes.
func (c *TrainStep) ValLine() string {
	if v := c.App.Run.ValLoss(); v != nil {
		return Loss(*v)
	}
	if c.App.Data.ValLoaded == nil && c.App.Opts.ValFraction == 0 {
		return "none: nothing is held out"
	}
	return "not measured yet"
}

// SpeedLine is the throughput, and on how many threads.
func (c *TrainStep) SpeedLine() string {
	l := c.App.Run.Last
	s := "–"
	if l.TokensPerSecond > 0 {
		s = Count(int(l.TokensPerSecond + 0.5))
	}
	switch l.Threads {
	case 0:
		return s
	case 1:
		return s + " on 1 thread"
	}
	return fmt.Sprintf("%s on %d threads", s, l.Threads)
}

// Done is how many steps the progress bar shows: the steps done and the
// share of the running one.
func (c *TrainStep) Done() float64 {
	r := &c.App.Run
	if r.Status == StatusRunning && r.Last.Step == r.Step {
		return float64(r.Step) + r.Last.Within
	}
	return float64(r.Step)
}

// TimeLeft is the estimated time to the end of the run.
func (c *TrainStep) TimeLeft() string {
	if c.App.Run.Status != StatusRunning || c.App.Run.Last.ETASeconds <= 0 {
		return "–"
	}
	return Duration(c.App.Run.Last.ETASeconds)
}

// ViewBox is the chart's SVG viewBox.
func (c *LossChart) ViewBox() string { return fmt.Sprintf("0 0 %d %d", chartW, chartH) }

// Compute lays out the run's losses before each render.
func (c *LossChart) Compute(vugu.ComputeCtx) { c.chart = lossChart(c.App.Run.Log, c.App.Run.Steps) }

// Chart is the layout of the losses.
func (c *LossChart) Chart() *Chart { return &c.chart }
