package main

import (
	"strings"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
)

// Step is one page of the guided flow.
type Step int

// The steps, in order.
const (
	StepModel Step = iota
	StepData
	StepTune
	StepTrain
	StepCompare
	StepTry
	StepDownload
)

// Steps lists every step for the navigation.
var Steps = []Step{StepModel, StepData, StepTune, StepTrain, StepCompare, StepTry, StepDownload}

var stepNames = [...]struct{ key, title, hint string }{
	StepModel:    {"model", "Model", "the language model to tune"},
	StepData:     {"data", "Data", "your examples"},
	StepTune:     {"tune", "Tune", "prefix and training settings"},
	StepTrain:    {"train", "Train", "watch the loss fall"},
	StepCompare:  {"compare", "Compare", "base versus prefixed"},
	StepTry:      {"try", "Try", "generate with and without"},
	StepDownload: {"download", "Download", "the PEFT adapter"},
}

// Key is the step's stable name (element ids, the URL fragment).
func (s Step) Key() string { return stepNames[s].key }

// Title is the step's name for people.
func (s Step) Title() string { return stepNames[s].title }

// Hint says in a few words what the step is for.
func (s Step) Hint() string { return stepNames[s].hint }

// EngineState is what the page knows of the engine worker.
type EngineState struct {
	Ready       bool
	Caps        protocol.Caps
	Device      string
	PoolThreads int    // threads of the engine's kernel pool
	Err         string // why the engine is not available, or a message it sent about no request
	// Stopped says why the previous engine died (engine.go); the page
	// then waits for a fresh one, loads the model into it again when
	// Reload (Reloading while it does) and offers the saved run.
	Stopped   string
	Reload    bool
	Reloading bool
}

// App is the whole state of the page. Components hold a pointer to it;
// every change happens with the render lock held (in an event handler, or
// in Client.Deliver).
type App struct {
	host   Host
	client *Client
	env    vugu.EventEnv

	Step   Step
	Engine EngineState
	// Busy names the request the engine is working on ("" when idle): the
	// engine runs one at a time, so other actions wait (Pause and Cancel
	// do not).
	Busy string
	// BusyLocal is true when Busy is work of the page (reading a file),
	// which the engine cannot cancel.
	BusyLocal bool

	Model   ModelState
	Data    DataState
	Opts    protocol.TrainOptions
	Tune    TuneState
	Run     RunState
	Compare CompareState
	Try     TryState
	Adapter AdapterState
	Storage StorageState
}

// NewApp returns the page's state over host; env is the renderer's event
// environment (its lock guards the state).
func NewApp(host Host, env vugu.EventEnv) *App {
	a := &App{host: host, env: env, Opts: DefaultOptions()}
	a.client = NewClient(host, env)
	a.client.onReady = a.ready
	a.client.onStray = a.stray
	a.Model.Source = SourceDemo
	a.Compare.Shots, a.Compare.MaxNew = defaultShots, defaultMaxNew
	a.Try.MaxTokens, a.Try.Temperature, a.Try.TopK = 40, 0.8, 40
	return a
}

// ready runs when the engine has started, or a fresh one after the
// previous one stopped (engine.go).
func (a *App) ready(r protocol.Ready) {
	old := a.Engine
	a.Engine = EngineState{Ready: true, Caps: r.Caps, Device: r.Device, PoolThreads: r.PoolThreads, Stopped: old.Stopped}
	if old.Stopped != "" && !old.Ready {
		a.restarted(old.Reload)
		return
	}
	a.listRuns()
}

// stray records a message the engine sent about no request: that it
// stopped for good, that it died and a fresh one is starting, or one the
// page cannot read.
func (a *App) stray(err error) {
	if e, ok := err.(protocol.Error); ok {
		if e.Code == protocol.CodeEngineStopped {
			a.engineStopped(errorText(e))
			return
		}
		a.EngineFailed(errorText(e))
		return
	}
	a.Engine.Err = err.Error()
}

// EngineFailed records that the engine could not start (called by the
// page's bootstrap, with the lock held).
func (a *App) EngineFailed(msg string) { a.Engine = EngineState{Err: msg} }

// Go shows step s if it is reachable.
func (a *App) Go(s Step) {
	if ok, _ := a.Reachable(s); ok {
		a.Step = s
	}
	if s == StepTune && a.Tune.Estimate == nil {
		a.estimate()
	}
}

// Reachable reports whether step s can be shown, and if not, what to do
// first.
func (a *App) Reachable(s Step) (bool, string) {
	switch {
	case s == StepModel:
		return true, ""
	case a.Model.Loaded == nil:
		return false, "Load a model first."
	case s == StepData:
		return true, ""
	case s == StepCompare || s == StepTry || s == StepDownload:
		if a.Run.Step > 0 || a.Adapter.Imported != nil {
			return true, ""
		}
		if s == StepTry {
			return true, "" // the base model alone can be tried
		}
		return false, "Train a prefix (or load one in Download) first."
	case a.Data.Loaded == nil:
		return false, "Load your data first."
	}
	return true, ""
}

// Done reports whether step s has produced its result.
func (a *App) Done(s Step) bool {
	switch s {
	case StepModel:
		return a.Model.Loaded != nil
	case StepData:
		return a.Data.Stats != nil
	case StepTune:
		return a.Tune.Estimate != nil
	case StepTrain:
		return a.Run.Status == protocol.StatusDone
	case StepCompare:
		return a.Compare.Result != nil
	case StepTry:
		return a.Try.Prefixed.Text != ""
	case StepDownload:
		return a.Adapter.Saved != ""
	}
	return false
}

// BusyLine says what the engine or the page is busy with, for a
// disabled control.
func (a *App) BusyLine() string {
	switch {
	case !a.Engine.Ready:
		return "The engine is starting."
	case a.Busy == "":
		return ""
	}
	return "Wait: " + strings.ToLower(a.Busy[:1]) + a.Busy[1:] + "…"
}

// Idle reports whether the engine can take a new request.
func (a *App) Idle() bool { return a.Engine.Ready && a.Busy == "" }

// local marks page work as running (what) or done ("").
func (a *App) local(what string) { a.Busy, a.BusyLocal = what, what != "" }

// start sends a request that occupies the engine: Busy is what, until
// the request ends. on sees every event, the terminal one last.
func (a *App) start(what string, r protocol.Request, files []File, on func(protocol.Event)) {
	a.Busy, a.BusyLocal = what, false
	a.client.Send(r, files, func(e protocol.Event) {
		if protocol.Terminal(e) {
			a.Busy = ""
		}
		on(e)
	})
}

// errorText is the message of an Error event for a person.
func errorText(e protocol.Error) string {
	if e.Message == "" {
		return "The engine failed (" + e.Code + ")."
	}
	return e.Message
}
