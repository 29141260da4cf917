package main

import (
	"strings"

	"prefixtune/core/data"
	"prefixtune/core/protocol"
)

// Stream is a generation as it arrives.
type Stream struct {
	Text    string
	Running bool
	Done    bool
	Err     string
}

// generate streams a continuation of prompt into s, then calls next (if
// not nil) when it ends well.
func (a *App) generate(s *Stream, r protocol.Generate, next func()) {
	*s = Stream{Running: true}
	a.start("Generating", r, nil, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.Token:
			s.Text += e.Text
		case protocol.Generated:
			s.Text, s.Running, s.Done = e.Text, false, true
			if next != nil {
				next()
			}
		case protocol.Error:
			s.Running, s.Err = false, errorText(e)
		}
	})
}

// HasPrefix reports whether there is a prefix to compare or try: a run
// with at least one step, or an imported adapter.
func (a *App) HasPrefix() bool { return a.Run.Step > 0 || a.Adapter.Imported != nil }

// CompareState is the Compare step.
type CompareState struct {
	Shots    int                // in-context examples of the few-shot baseline (0: none)
	MaxNew   int                // tokens generated at most per prompt
	Progress *protocol.Progress // of the evaluation
	Result   *protocol.Evaluated
	Held     string // which data was scored, for people
	Err      string
}

// defaultShots is the few-shot baseline's examples, as make
// dataset-results runs `prefixtune eval --shots 3`, and defaultMaxNew the
// tokens generated per prompt, as `prefixtune eval --max-new-tokens`.
const (
	defaultShots  = 3
	defaultMaxNew = 64
)

// HeldOut says which data Compare scores: the test file or the share of
// the training file held out for testing; lacking both, the validation
// data, or the training file.
func (a *App) HeldOut() (data, about string) {
	d := &a.Data
	switch {
	case d.TestLoaded != nil:
		return protocol.TestData, "the test file " + d.TestLoaded.Name
	case a.Opts.TestFraction > 0:
		return protocol.TestData, Percent(a.Opts.TestFraction) + " of the training file held out for testing"
	case d.ValLoaded != nil:
		return protocol.ValidationData, "the validation file " + d.ValLoaded.Name
	case a.Opts.ValFraction > 0:
		return protocol.ValidationData, Percent(a.Opts.ValFraction) + " of the training file held out from training"
	}
	return protocol.TrainData, "the training data (nothing was held out, so this measures fit, not generalisation)"
}

// EvaluateRequest is what Compare asks the engine: `prefixtune eval
// --baselines --shots K` on the held-out data, with the metrics of the
// task: generation metrics for prompts and completions (RMSE and MAE when
// they are numbers), accuracy and macro-F1 for a text and its label.
func (a *App) EvaluateRequest() protocol.Evaluate {
	data, _ := a.HeldOut()
	r := protocol.Evaluate{Which: protocol.Both, Data: data, SeqLen: a.Opts.SeqLen, Shots: a.Compare.Shots}
	held := a.Data.Loaded
	if t := a.Data.TestLoaded; t != nil && data == protocol.TestData {
		held = t
	}
	switch a.Data.Mode {
	case ModeLabel:
		r.Classify = true
	case ModePair:
		r.Generate, r.MaxNew = true, a.Compare.MaxNew
		r.Numeric = held != nil && held.Numeric
	}
	return r
}

// CompareModels scores the base model zero-shot and few-shot and the
// prefixed model on the held-out data.
func (a *App) CompareModels() {
	if !a.Idle() || !a.HasPrefix() {
		return
	}
	c := &a.Compare
	_, about := a.HeldOut()
	c.Progress, c.Result, c.Held, c.Err = &protocol.Progress{Phase: protocol.PhaseEvaluate}, nil, about, ""
	a.start("Evaluating", a.EvaluateRequest(), nil, func(e protocol.Event) {
		switch e := e.(type) {
		case protocol.Progress:
			c.Progress = &e
		case protocol.Evaluated:
			c.Result, c.Progress = &e, nil
		case protocol.Error:
			c.Progress = nil
			if e.Code == protocol.CodeCancelled {
				c.Err = "Stopped. Evaluate again to score all of it."
			} else {
				c.Err = errorText(e)
			}
		}
	})
}

// TryState is the Try step.
type TryState struct {
	Prompt      string
	MaxTokens   int
	Temperature float64
	TopK        int
	Seed        uint64
	AsTyped     bool // the prompt as typed, not written into the Data step's template
	Base        Stream
	Prefixed    Stream
	Err         string
}

// TryPrompt is the prompt Try generates from: written into the Data
// step's template (as `prefixtune generate --template`), unless AsTyped.
func (a *App) TryPrompt() string {
	tpl, err := data.ParseTemplate(a.Data.Template)
	if err != nil || a.Try.AsTyped {
		return a.Try.Prompt
	}
	return tpl.Prompt(a.Try.Prompt)
}

// TryBoth generates the prompt with the base model, then with the prefix
// (when there is one), with the same sampling and seed.
func (a *App) TryBoth() {
	t := &a.Try
	if !a.Idle() {
		return
	}
	if strings.TrimSpace(t.Prompt) == "" {
		t.Err = "Type a prompt first."
		return
	}
	t.Err, t.Base, t.Prefixed = "", Stream{}, Stream{}
	g := protocol.Generate{Prompt: a.TryPrompt(), MaxTokens: t.MaxTokens, Temperature: t.Temperature, TopK: t.TopK, Seed: t.Seed}
	a.generate(&t.Base, g, func() {
		if a.HasPrefix() {
			g.Prefixed = true
			a.generate(&t.Prefixed, g, nil)
		}
	})
}
