package main

import "fmt"

// When the engine worker dies (public/engine.js: it crashed or stopped
// answering), every request it held ends with an engine_stopped Error,
// the page hears why (engineStopped), and a fresh engine sends Ready
// (restarted). The fresh engine holds nothing: the page loads the model
// into it again, unless loading the model is what the engine died of, and
// lists the saved runs, so that the SavedRun banner offers to resume the
// run from its last checkpoint. EngineNotice says all this on the page
// until the person dismisses it, resumes or starts a new run.

// engineStopped records that the engine died, and why.
func (a *App) engineStopped(msg string) {
	reload := a.Model.Loaded != nil && a.Busy != busyLoadingModel
	a.Engine = EngineState{Stopped: msg, Reload: reload}
}

// restarted runs when the fresh engine is ready: it loads the model again
// (or, when it cannot, clears it) and lists the saved runs after.
func (a *App) restarted(reload bool) {
	a.Model.Loaded, a.Model.Progress = nil, nil
	a.forget()
	a.Step = StepModel
	if ok, _ := a.CanLoadModel(); reload && ok {
		a.Engine.Reloading = true
		a.LoadModel()
		return
	}
	a.listRuns()
}

// DismissStopped hides the notice that the engine stopped.
func (a *App) DismissStopped() { a.Engine.Stopped = "" }

// Status says what the page does about it, and what the person can do.
func (c *EngineNotice) Status() string {
	a := c.App
	switch {
	case !a.Engine.Ready && a.Engine.Err == "":
		return "Starting a fresh engine…"
	case a.Engine.Reloading:
		return "The fresh engine is running. Loading " + c.modelName() + " into it again…"
	case a.Model.Loaded == nil:
		return "The fresh engine is running. Load the model again to go on."
	}
	if r, same := a.SavedRun(); r != nil && same && a.Run.Status == "" && r.Step < r.Steps {
		return fmt.Sprintf("The fresh engine is running with %s. Your run is saved in this browser at step %d of %d: resume it from there below.",
			a.ModelName(), r.Step, r.Steps)
	}
	return fmt.Sprintf("The fresh engine is running with %s.", a.ModelName())
}

func (c *EngineNotice) modelName() string {
	if c.App.Model.Source == SourceDemo {
		return "the demo model"
	}
	return "the model"
}
