package main

import (
	"prefixtune/core/protocol"
)

// Run statuses beyond protocol.StatusDone and StatusPaused.
const (
	StatusRunning   = "running"
	StatusCancelled = "cancelled"
	StatusFailed    = "failed"
)

// RunState is the Train step: the current run and the runs saved in the
// browser.
type RunState struct {
	RunID       string
	Status      string // "" before the first run
	Phase       string // of the latest progress
	Step, Steps int
	Log         []protocol.StepLog // every step so far
	Last        protocol.Progress  // the latest progress of training steps
	Pausing     bool
	Err         string

	Runs    []protocol.RunInfo // saved runs, newest first
	RunsErr string
}

// CanTrain reports whether a new run can start, and if not, why.
func (a *App) CanTrain() (bool, string) {
	switch {
	case a.Data.Loaded == nil:
		return false, "Load your data first."
	case len(a.Tune.FieldErr) > 0:
		return false, "Fix the settings marked in Tune."
	case a.Opts.Init == protocol.InitAdapter && a.Adapter.Imported == nil:
		return false, "Load a prefix file (in Download) to start from it, or choose another initialisation."
	case !a.Idle():
		return false, a.BusyLine()
	}
	return true, ""
}

// Train starts a new run with the options.
func (a *App) Train() {
	if ok, _ := a.CanTrain(); !ok {
		return
	}
	a.Run = RunState{Status: StatusRunning, Runs: a.Run.Runs}
	a.Compare = CompareState{Shots: a.Compare.Shots, MaxNew: a.Compare.MaxNew}
	a.Engine.Stopped = ""
	a.Step = StepTrain
	a.start("Training", protocol.Train{Options: a.Opts}, nil, a.onRun)
}

// Resume continues the paused or cancelled run.
func (a *App) Resume() {
	if !a.Idle() || (a.Run.Status != protocol.StatusPaused && a.Run.Status != StatusCancelled) {
		return
	}
	a.Run.Status, a.Run.Err = StatusRunning, ""
	a.start("Training", protocol.Resume{}, nil, a.onRun)
}

// onRun follows a Train or Resume request.
func (a *App) onRun(e protocol.Event) {
	r := &a.Run
	switch e := e.(type) {
	case protocol.Progress:
		r.Phase = e.Phase
		if e.Phase == protocol.PhaseTrain {
			r.Step, r.Steps, r.Last = e.Step, e.Steps, e
		}
		for _, l := range e.Log {
			r.add(l)
		}
		if e.ValLoss != nil && len(r.Log) > 0 && r.Log[len(r.Log)-1].ValLoss == nil {
			v := *e.ValLoss
			r.Log[len(r.Log)-1].ValLoss = &v
		}
	case protocol.Trained:
		r.RunID, r.Status, r.Step, r.Steps, r.Pausing = e.RunID, e.Status, e.Step, e.Steps, false
		a.listRuns()
	case protocol.Error:
		r.Pausing = false
		if e.Code == protocol.CodeCancelled {
			r.Status = StatusCancelled
		} else {
			r.Status, r.Err = StatusFailed, errorText(e)
		}
		a.listRuns()
	}
}

// add appends a step's log, or completes the entry of the same step.
func (r *RunState) add(l protocol.StepLog) {
	if n := len(r.Log); n > 0 && r.Log[n-1].Step >= l.Step {
		for i := n - 1; i >= 0; i-- {
			if r.Log[i].Step == l.Step {
				if l.ValLoss != nil {
					r.Log[i].ValLoss = l.ValLoss
				}
				return
			}
		}
		return
	}
	r.Log = append(r.Log, l)
}

// Pause asks the running training to stop after its step and save.
func (a *App) Pause() {
	if a.Run.Status != StatusRunning || a.Run.Pausing {
		return
	}
	a.Run.Pausing = true
	a.client.Send(protocol.Pause{}, nil, func(e protocol.Event) {
		if e, ok := e.(protocol.Error); ok {
			a.Run.Pausing = false
			a.Run.Err = errorText(e)
		}
	})
}

// Cancel stops the running request (training, loading, evaluation or
// generation).
func (a *App) Cancel() {
	if a.Busy == "" {
		return
	}
	a.client.Send(protocol.Cancel{}, nil, func(protocol.Event) {})
}

// listRuns asks for the runs saved in the browser, when the engine is
// free.
func (a *App) listRuns() {
	if !a.Idle() {
		return
	}
	a.start("Listing saved runs", protocol.ListCheckpoints{}, nil, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.Checkpoints:
			a.Run.Runs, a.Run.RunsErr = e.Runs, ""
		case protocol.Error:
			a.Run.RunsErr = errorText(e)
		}
	})
}

// SavedRun returns the saved run that can be resumed or opened on the
// loaded model, other than the current run, and whether the loaded model
// is the one it was trained on.
func (a *App) SavedRun() (run *protocol.RunInfo, sameModel bool) {
	for i := range a.Run.Runs {
		r := &a.Run.Runs[i]
		if r.RunID == a.Run.RunID {
			continue
		}
		return r, a.Model.Loaded != nil && a.Model.Loaded.Fingerprint == r.ModelID
	}
	return nil, false
}

// OfferSavedRun reports whether to offer a run saved in the browser: one
// exists and no run is on screen, or the one on screen failed (say, out
// of memory), so that the saved one is not lost from view.
func (a *App) OfferSavedRun() bool {
	r, _ := a.SavedRun()
	return r != nil && (a.Run.Status == "" || a.Run.Status == StatusFailed)
}

// OpenRun restores the saved run id onto the loaded model and, with
// resume, continues training it.
func (a *App) OpenRun(id string, resume bool) {
	if !a.Idle() || a.Model.Loaded == nil {
		return
	}
	a.Run.Err, a.Run.RunsErr = "", ""
	a.start("Restoring the run", protocol.LoadCheckpoint{RunID: id}, nil, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.CheckpointLoaded:
			a.Engine.Stopped = ""
			a.Opts = e.Run.Options
			a.Run = RunState{RunID: e.Run.RunID, Status: protocol.StatusPaused, Step: e.Run.Step, Steps: e.Run.Steps, Runs: a.Run.Runs}
			for _, l := range e.History {
				a.Run.add(l)
			}
			if e.Run.Step >= e.Run.Steps {
				a.Run.Status = protocol.StatusDone
			}
			a.Data.Loaded = &protocol.DataLoaded{Name: e.Run.Data}
			if e.Run.ValData != "" {
				a.Data.ValLoaded = &protocol.DataLoaded{Name: e.Run.ValData, Validation: true}
			}
			a.Step = StepTrain
			if resume && a.Run.Status == protocol.StatusPaused {
				a.Resume()
			}
		case protocol.Error: // shown in the saved run's banner, on every step
			a.Run.RunsErr = errorText(e)
		}
	})
}

// DeleteRun removes the saved run id from the browser.
func (a *App) DeleteRun(id string) {
	if !a.Idle() {
		return
	}
	a.start("Deleting the run", protocol.DeleteCheckpoint{RunID: id}, nil, func(e protocol.Event) {
		if e, ok := e.(protocol.Error); ok {
			a.Run.RunsErr = errorText(e)
			return
		}
		a.listRuns()
	})
}

// Recovered lists the steps that were not finite and were undone.
func (r *RunState) Recovered() []int {
	var steps []int
	for _, l := range r.Log {
		if l.Recovered {
			steps = append(steps, l.Step)
		}
	}
	return steps
}

// LastGood is the latest step that was not undone; ok is false before
// there is one.
func (r *RunState) LastGood() (l protocol.StepLog, ok bool) {
	for i := len(r.Log) - 1; i >= 0; i-- {
		if !r.Log[i].Recovered {
			return r.Log[i], true
		}
	}
	return l, false
}

// ValLoss is the latest validation loss of the run, if any.
func (r *RunState) ValLoss() *float64 {
	for i := len(r.Log) - 1; i >= 0; i-- {
		if r.Log[i].ValLoss != nil {
			return r.Log[i].ValLoss
		}
	}
	return r.Last.ValLoss
}
