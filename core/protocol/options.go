package protocol

// Ways to initialise a prefix (TrainOptions.Init).
const (
	InitRandom  = "random"  // PEFT's random normal
	InitText    = "text"    // the model's keys and values over InitText
	InitAdapter = "adapter" // the imported adapter (ImportAdapter)
)

// TrainOptions are the options of `prefixtune train`, with the same
// meanings and defaults (DefaultTrainOptions), plus what only the browser
// needs: a validation share of the data and the autosave interval.
type TrainOptions struct {
	PrefixLen   int     `json:"prefix_len"`          // virtual tokens P
	Init        string  `json:"init"`                // InitRandom, InitText or InitAdapter
	InitText    string  `json:"init_text,omitempty"` // the text of InitText
	Projection  int     `json:"projection"`          // hidden size of the MLP reparameterisation; 0: none
	LR          float64 `json:"lr"`                  // peak learning rate; 0: 5e-3, or 5e-5 with a projection
	Schedule    string  `json:"schedule"`            // "constant", "linear" or "cosine"
	Warmup      int     `json:"warmup"`              // warm-up steps
	Steps       int     `json:"steps"`               // optimiser steps; 0: Epochs passes over the data
	Epochs      int     `json:"epochs"`
	BatchSize   int     `json:"batch_size"`
	SeqLen      int     `json:"seq_len"`      // tokens per example; 0: 128, or fewer if the model is shorter
	WeightDecay float64 `json:"weight_decay"` // AdamW decoupled weight decay
	Clip        float64 `json:"clip"`         // max global gradient norm; 0: no clipping
	Seed        uint64  `json:"seed"`         // initialisation, shuffling and the validation split (below 2^53 to survive JavaScript)
	Shuffle     bool    `json:"shuffle"`      // a new order every epoch (the command's default; --no-shuffle is false)
	ValFraction float64 `json:"val_fraction"` // share of the training data held out for validation (0: none, or the loaded validation file)
	// TestFraction is the share of the training file held out for
	// testing (Evaluate's TestData) when no test file is loaded; it is
	// drawn first, by the seed, and ValFraction is a share of the rest.
	TestFraction float64 `json:"test_fraction,omitempty"`
	SaveEvery    int     `json:"save_every"` // autosave a checkpoint every N steps (0: only at pause and at the end)
	// Threads is how many threads of the kernel pool the run computes on
	// (1 to Ready.PoolThreads; 0: all). It holds from the start of the run
	// (or its resumption) until another run sets it.
	Threads int `json:"threads,omitempty"`
}

// DefaultTrainOptions returns the defaults of `prefixtune train`, and an
// autosave every 50 steps.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{
		PrefixLen: 10,
		Init:      InitRandom,
		Schedule:  "linear",
		Epochs:    5,
		BatchSize: 5,
		Clip:      1,
		Shuffle:   true,
		SaveEvery: 50,
	}
}

// UnmarshalJSON decodes options, starting from DefaultTrainOptions so that
// fields left out keep their defaults. Unknown fields are errors.
func (o *TrainOptions) UnmarshalJSON(b []byte) error {
	type plain TrainOptions // without this method
	v := plain(DefaultTrainOptions())
	if err := strict(b, &v); err != nil {
		return err
	}
	*o = TrainOptions(v)
	return nil
}

// UnmarshalJSON decodes a Train request; absent options are all defaults.
func (t *Train) UnmarshalJSON(b []byte) error {
	type plain Train
	v := plain{Options: DefaultTrainOptions()}
	err := strict(b, &v)
	*t = Train(v)
	return err
}

// UnmarshalJSON decodes an Estimate request; absent options are all defaults.
func (e *Estimate) UnmarshalJSON(b []byte) error {
	type plain Estimate
	v := plain{Options: DefaultTrainOptions()}
	err := strict(b, &v)
	*e = Estimate(v)
	return err
}
