// Package presets holds the starting settings of a prefix-tuning run for
// each kind of task, with and without the MLP reparameterisation, as Li &
// Liang (2021) tuned them (DESIGN.md section 1): a short prefix, 5 to 10
// epochs of small batches, a learning rate of 5e-5 to 8e-5 through the MLP
// and 1e-3 to 5e-3 without it. `prefixtune train --preset` and the page's
// Tune step both take them from here. The package is plain data, so the
// page can import it without the core that computes.
package presets

import (
	"fmt"
	"strings"
)

// Kinds of task.
const (
	Generation     = "generation"     // a short text from a prompt: table-to-text, definitions
	Summarization  = "summarization"  // a longer text from a long prompt
	Classification = "classification" // one label for a text
)

// Preset is a starting point for a run's settings. Steps, when not 0,
// override Epochs (as --steps does --epochs).
type Preset struct {
	Name  string // what --preset takes
	Kind  string // Generation, Summarization or Classification; "" for any
	MLP   bool   // through the MLP reparameterisation (Projection > 0)
	Title string // for people
	About string

	PrefixLen  int
	Projection int // hidden size of the MLP; 0: none
	LR         float64
	Schedule   string // "constant", "linear" or "cosine"
	Warmup     int
	Epochs     int
	Steps      int
	BatchSize  int
}

// All lists the presets: a quick look, then per kind of task the paper's
// setting without and with the MLP.
var All = []Preset{
	{Name: "quick", Title: "Quick look", About: "A prefix of 5, 40 steps at a large constant learning rate: to see the loss move within a minute.",
		PrefixLen: 5, LR: 5e-3, Schedule: "constant", Epochs: 5, Steps: 40, BatchSize: 4},
	{Name: "generation", Kind: Generation, Title: "Generation", About: "Short outputs such as table-to-text: prefix 10, learning rate 5e-3, linear decay, 5 epochs of batch 5 (the command's defaults).",
		PrefixLen: 10, LR: 5e-3, Schedule: "linear", Epochs: 5, BatchSize: 5},
	{Name: "generation-mlp", Kind: Generation, MLP: true, Title: "Generation, MLP", About: "The paper's table-to-text setting: prefix 10 through an MLP of 512, learning rate 5e-5, 5 epochs of batch 5.",
		PrefixLen: 10, Projection: 512, LR: 5e-5, Schedule: "linear", Epochs: 5, BatchSize: 5},
	{Name: "summarization", Kind: Summarization, Title: "Summarization", About: "Longer outputs: a longer prefix (30), learning rate 1e-3, 10 epochs of batch 5.",
		PrefixLen: 30, LR: 1e-3, Schedule: "linear", Epochs: 10, BatchSize: 5},
	{Name: "summarization-mlp", Kind: Summarization, MLP: true, Title: "Summarization, MLP", About: "Longer outputs through an MLP of 512: prefix 30, learning rate 5e-5, 10 epochs of batch 5.",
		PrefixLen: 30, Projection: 512, LR: 5e-5, Schedule: "linear", Epochs: 10, BatchSize: 5},
	{Name: "classification", Kind: Classification, Title: "Classification", About: "One label per text: prefix 5, learning rate 5e-3, 5 epochs of batch 10.",
		PrefixLen: 5, LR: 5e-3, Schedule: "linear", Epochs: 5, BatchSize: 10},
	{Name: "classification-mlp", Kind: Classification, MLP: true, Title: "Classification, MLP", About: "One label per text through an MLP of 512: prefix 5, learning rate 8e-5, 5 epochs of batch 10.",
		PrefixLen: 5, Projection: 512, LR: 8e-5, Schedule: "linear", Epochs: 5, BatchSize: 10},
}

// Find returns the preset called name.
func Find(name string) (Preset, error) {
	var names []string
	for _, p := range All {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Preset{}, fmt.Errorf("unknown preset %q: use one of %s", name, strings.Join(names, ", "))
}

// For returns the preset of a kind of task, with or without the MLP.
func For(kind string, mlp bool) (Preset, error) {
	for _, p := range All {
		if p.Kind == kind && p.MLP == mlp && kind != "" {
			return p, nil
		}
	}
	return Preset{}, fmt.Errorf("no preset for the task kind %q: use %s, %s or %s", kind, Generation, Summarization, Classification)
}
