package main

import (
	"path"
	"strings"

	"prefixtune/core/protocol"
)

// Where a model comes from (ModelState.Source).
const (
	SourceDemo  = "demo"  // the model bundled with the site
	SourceFiles = "files" // files the person picks or drops
	SourceHub   = "hub"   // a Hugging Face repository, through the site's mirror
)

// DemoModel is where the site keeps its bundled model, and the files of a
// model.
const DemoModel = "/models/demo/"

var modelFiles = []string{"config.json", "model.safetensors", "tokenizer.json"}

// ModelState is the Model step.
type ModelState struct {
	Source   string
	Files    []File                 // picked local files
	Check    *protocol.ModelChecked // what config.json of the picked files says, as the engine reads it
	Repo     string                 // hub repository id, owner/name
	Revision string                 // hub revision; empty: main
	HubBase  string                 // empty: the site's mirror, origin + /hub
	Progress *protocol.Progress
	Loaded   *protocol.ModelLoaded
	Err      string
}

// Family names a model_type for people.
func Family(modelType string) string {
	if modelType == "llama" {
		return "Llama"
	}
	return "GPT-2"
}

// WeightsLine says how the weight matrices are held in memory.
func WeightsLine(dtype string) string {
	if dtype == "F16" || dtype == "BF16" {
		return dtype + ", kept 16-bit"
	}
	return "float32"
}

// PickModelFiles takes the files the person picked or dropped, and reads
// config.json among them (on a goroutine) to check the model.
func (a *App) PickModelFiles(files []File) {
	m := &a.Model
	m.Source, m.Files, m.Check, m.Err = SourceFiles, files, nil, ""
	if missing := missingModelFiles(files); missing != "" {
		m.Err = missing
		return
	}
	cfg := findFile(files, "config.json")
	go func() {
		text, err := a.host.ReadText(*cfg, 1<<20)
		a.env.Lock()
		defer a.env.UnlockRender()
		if err != nil {
			m.Err = "Cannot read config.json: " + err.Error()
			return
		}
		a.client.Send(protocol.CheckModel{Config: text}, nil, func(e protocol.Event) {
			switch e := e.(type) {
			case protocol.ModelChecked:
				m.Check = &e
			case protocol.Error:
				m.Err = errorText(e)
			}
		})
	}()
}

// demoName names the demo model (and the base model of its adapters).
const demoName = "prefixtune-demo"

// folderOf is the folder of a file picked with its folder: the directory
// of its relative path, "" for a file picked alone.
func folderOf(relPath string) string {
	if d := path.Dir(relPath); d != "." {
		return d
	}
	return ""
}

// findFile returns the file called name among files, matched by name
// whatever its folder; when several are, the least deep one.
func findFile(files []File, name string) *File {
	var best *File
	for i := range files {
		if files[i].Name == name && (best == nil || strings.Count(files[i].Path, "/") < strings.Count(best.Path, "/")) {
			best = &files[i]
		}
	}
	return best
}

func missingModelFiles(files []File) string {
	var missing []string
	for _, n := range modelFiles {
		if findFile(files, n) == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "Missing " + strings.Join(missing, " and ") + ": a model is config.json, model.safetensors and tokenizer.json, as in a Hugging Face GPT-2 or Llama folder. Pick or drop all three."
}

// CanLoadModel reports whether the Load button does something, and if
// not, why.
func (a *App) CanLoadModel() (bool, string) {
	m := &a.Model
	switch {
	case !a.Engine.Ready:
		return false, "The engine is starting."
	case a.Busy != "":
		return false, a.BusyLine()
	case m.Source == SourceFiles && len(m.Files) == 0:
		return false, "Pick or drop the model's files."
	case m.Source == SourceFiles && (m.Check == nil || m.Check.Problem != ""):
		return false, ""
	case m.Source == SourceHub && !validRepo(m.Repo):
		return false, "Type a repository id such as openai-community/gpt2."
	}
	return true, ""
}

func validRepo(r string) bool {
	owner, name, ok := strings.Cut(strings.TrimSpace(r), "/")
	return ok && owner != "" && name != "" && !strings.ContainsAny(name, "/ ") && !strings.ContainsAny(owner, " ")
}

// LoadModel loads the model from the chosen source.
func (a *App) LoadModel() {
	if ok, _ := a.CanLoadModel(); !ok {
		return
	}
	m := &a.Model
	m.Err, m.Progress = "", nil
	switch m.Source {
	case SourceFiles:
		var files []File
		var idx []int
		for _, n := range modelFiles {
			idx = append(idx, len(files))
			files = append(files, *findFile(m.Files, n))
		}
		a.sendLoadModel(protocol.LoadModel{Files: idx, Folder: folderOf(findFile(m.Files, "config.json").Path)}, files)
	case SourceHub:
		base := m.HubBase
		if base == "" {
			base = a.host.Origin() + "/hub"
		}
		a.sendLoadModel(protocol.LoadModel{Hub: &protocol.Hub{Base: base, Repo: strings.TrimSpace(m.Repo), Revision: m.Revision}}, nil)
	default:
		a.local("Fetching the demo model")
		go func() {
			var files []File
			var err error
			for _, n := range modelFiles {
				var f File
				if f, err = a.host.Fetch(DemoModel+n, n); err != nil {
					break
				}
				files = append(files, f)
			}
			a.env.Lock()
			defer a.env.UnlockRender()
			a.local("")
			if err != nil {
				m.Err = "Cannot fetch the demo model: " + err.Error()
				return
			}
			a.sendLoadModel(protocol.LoadModel{Files: []int{0, 1, 2}, Folder: demoName}, files)
		}()
	}
}

func (a *App) sendLoadModel(r protocol.LoadModel, files []File) {
	m := &a.Model
	a.start(busyLoadingModel, r, files, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.Progress:
			m.Progress = &e
		case protocol.ModelLoaded:
			m.Progress = nil
			a.modelLoaded(e)
		case protocol.Error:
			m.Progress = nil
			m.Err = errorText(e)
		}
		if protocol.Terminal(e) && a.Engine.Reloading { // after a restart
			a.Engine.Reloading = false
			a.listRuns()
		}
	})
}

// busyLoadingModel is Busy while the engine loads a model.
const busyLoadingModel = "Loading the model"

// modelLoaded resets everything that depended on the previous model.
func (a *App) modelLoaded(e protocol.ModelLoaded) {
	a.forget()
	a.Model.Loaded = &e
	if a.Opts.SeqLen == 0 || a.Opts.SeqLen+a.Opts.PrefixLen > e.Positions {
		a.Opts.SeqLen = defaultSeqLen(e.Positions, a.Opts.PrefixLen)
	}
	a.Step = StepData
}

// forget drops what the page knows of the engine's data, run, comparison,
// adapter and generations: the engine no longer holds them.
func (a *App) forget() {
	a.Data.Loaded, a.Data.ValLoaded, a.Data.TestLoaded, a.Data.Stats = nil, nil, nil, nil
	a.Tune.Estimate = nil
	a.Run = RunState{Runs: a.Run.Runs}
	a.Compare = CompareState{Shots: a.Compare.Shots, MaxNew: a.Compare.MaxNew}
	a.Adapter = AdapterState{}
	a.Try.Base, a.Try.Prefixed = Stream{}, Stream{}
}

// defaultSeqLen is 128 tokens, or what the model's positions leave after
// the prefix.
func defaultSeqLen(positions, prefixLen int) int {
	return max(1, min(128, positions-prefixLen))
}

// ModelName is the loaded model's name for people.
func (a *App) ModelName() string {
	m := a.Model.Loaded
	switch {
	case m == nil:
		return ""
	case m.Hub != nil:
		return m.Hub.Repo
	case a.Model.Source == SourceDemo:
		return "the demo model"
	}
	return m.Name
}
