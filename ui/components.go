package main

// The components, each declared on its own (vugugen looks for one type per
// declaration). Each holds the page's state, set by its parent.

// Root is the page: header, step navigation, the current step and the
// summary.
type Root struct{ App *App }

// ModelStep chooses and loads the model.
type ModelStep struct {
	App      *App
	dragging bool
}

// DataStep chooses the data, maps its fields and counts its tokens.
type DataStep struct {
	App      *App
	dragging bool
}

// TuneStep sets the options of a run and shows its estimate.
type TuneStep struct{ App *App }

// OptionField is a labelled number (or text) field for one training
// option, with its help and the error of a refused value.
type OptionField struct {
	App                   *App
	ID, Name, Label, Help string // Name is the option's JSON name
	Value                 string
	Type, Min, Max, Step  string // input type ("number" when empty) and its bounds
}

// SavedRun offers a run saved in the browser (after a reload) on every
// step: resume it, open it, or discard it.
type SavedRun struct{ App *App }

// TrainStep runs, pauses and resumes training, with the loss chart.
type TrainStep struct{ App *App }

// LossChart draws the training and validation loss as SVG.
type LossChart struct {
	App   *App
	chart Chart
}

// CompareStep scores both models on held-out data and generates.
type CompareStep struct{ App *App }

// TryStep is the playground.
type TryStep struct{ App *App }

// DownloadStep saves the adapter and loads one back.
type DownloadStep struct{ App *App }

// EngineNotice says that the engine stopped, that a fresh one is starting
// and what to do next (engine.go).
type EngineNotice struct{ App *App }

// PrivacyPanel says where the person's data lives and clears everything
// the site stores in the browser (storage.go).
type PrivacyPanel struct{ App *App }
