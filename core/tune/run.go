package tune

import (
	"errors"
	"fmt"
	"slices"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/tokenizer"
	"prefixtune/core/train"
)

// Options are the settings of a run, with the meanings of the flags of
// `prefixtune train`.
type Options struct {
	PrefixLen   int // virtual tokens P
	Projection  int // hidden size E of the MLP reparameterisation; 0: none
	LR          float64
	Schedule    train.Schedule
	Warmup      int
	Steps       int // optimiser steps; 0: Epochs passes over the data
	Epochs      int
	BatchSize   int
	WeightDecay float64
	Clip        float64 // max global gradient norm; 0: no clipping
	Seed        uint64
	Shuffle     bool
	ValEvery    int  // validate every N steps; 0: after every epoch (and always at the end)
	Patience    int  // stop after this many validations without a new best; 0: never stop early
	RestoreBest bool // end with the prefix of the best validation
}

// loader is the order in which a run of o visits seqs.
func (o Options) loader(seqs []data.Sequence, pad int32) *data.Loader {
	return &data.Loader{Seqs: seqs, BatchSize: o.BatchSize, Shuffle: o.Shuffle, Seed: o.Seed, Pad: pad}
}

// DefaultLR is the learning rate used when Options.LR is 0: 5e-3 for a
// direct prefix, 5e-5 with the MLP (the paper's ranges).
func DefaultLR(projection int) float64 {
	if projection > 0 {
		return 5e-5
	}
	return 5e-3
}

// Validate reports options no run can use.
func (o Options) Validate() error {
	switch {
	case o.PrefixLen < 1:
		return fmt.Errorf("the prefix length is %d; it must be at least 1", o.PrefixLen)
	case o.Projection < 0:
		return fmt.Errorf("the projection size is %d; use 0 for none or a positive size", o.Projection)
	case o.BatchSize < 1:
		return fmt.Errorf("the batch size is %d; it must be at least 1", o.BatchSize)
	case o.Steps < 0 || o.Warmup < 0:
		return fmt.Errorf("steps (%d) and warm-up steps (%d) cannot be negative", o.Steps, o.Warmup)
	case o.ValEvery < 0 || o.Patience < 0:
		return fmt.Errorf("the validation interval (%d) and the patience (%d) cannot be negative", o.ValEvery, o.Patience)
	case o.Steps == 0 && o.Epochs < 1:
		return fmt.Errorf("give a number of steps or of epochs (at least 1)")
	case !(o.LR >= 0) || !(o.WeightDecay >= 0) || !(o.Clip >= 0):
		return fmt.Errorf("the learning rate (%g), weight decay (%g) and clip (%g) must be 0 or positive", o.LR, o.WeightDecay, o.Clip)
	}
	_, err := train.ParseSchedule(string(o.Schedule))
	return err
}

// TotalSteps is the number of optimiser steps of a run over n examples:
// Steps, or Epochs passes of ceil(n/BatchSize) steps.
func (o Options) TotalSteps(n int) int {
	if o.Steps > 0 {
		return o.Steps
	}
	return o.Epochs * (&data.Loader{Seqs: make([]data.Sequence, n), BatchSize: o.BatchSize}).StepsPerEpoch()
}

// DefaultSeqLen caps sequences when no length is given.
const DefaultSeqLen = 128

// SeqLen returns the tokens per example after a prefix of P positions:
// want, or when want <= 0 DefaultSeqLen capped by the model's positions.
func SeqLen(c model.Config, want, P int) (int, error) {
	room := c.NPositions - P
	if room < 1 {
		return 0, fmt.Errorf("a prefix of %d leaves no room in the model's %d positions; use a shorter prefix", P, c.NPositions)
	}
	if want <= 0 {
		return min(DefaultSeqLen, room), nil
	}
	if want > room {
		return 0, fmt.Errorf("a sequence length of %d plus a prefix of %d exceeds the model's %d positions; use a sequence length of %d or less", want, P, c.NPositions, room)
	}
	return want, nil
}

// Sequences tokenises every example, cutting each to T tokens.
func Sequences(exs []data.Example, enc data.Encoder, T int) []data.Sequence {
	seqs := make([]data.Sequence, len(exs))
	for i, ex := range exs {
		seqs[i] = data.Tokenize(ex, enc, T)
	}
	return seqs
}

// Longest returns the length of the longest sequence (at least 1): the
// arena's T.
func Longest(sets ...[]data.Sequence) int {
	T := 1
	for _, seqs := range sets {
		for _, s := range seqs {
			T = max(T, len(s.Tokens))
		}
	}
	return T
}

// MostTokens returns the most tokens a batch of B sequences of any one of
// sets can hold (the rows it packs to): the sum of the B longest of a set
// (at least 1).
func MostTokens(B int, sets ...[]data.Sequence) int {
	return most(B, func(s data.Sequence) int { return len(s.Tokens) }, sets)
}

// MostTargets returns the most targets a batch of B sequences of any one
// of sets can hold: the sum of the B largest counts of a set (at least 1).
func MostTargets(B int, sets ...[]data.Sequence) int {
	return most(B, data.Sequence.NumTargets, sets)
}

// most returns the largest sum of count over B sequences of one of sets
// (at least 1).
func most(B int, count func(data.Sequence) int, sets [][]data.Sequence) int {
	top := 1
	for _, seqs := range sets {
		counts := make([]int, len(seqs))
		for i, s := range seqs {
			counts[i] = count(s)
		}
		slices.Sort(counts)
		sum := 0
		for _, n := range counts[max(0, len(counts)-B):] {
			sum += n
		}
		top = max(top, sum)
	}
	return top
}

// Shape is the activation arena of a run of o over seqs, validated on
// val: batches of o.BatchSize sequences as long as the longest, after the
// prefix, packing to at most MostTokens rows with at most MostTargets
// targets (the output layer's rows).
func (o Options) Shape(seqs, val []data.Sequence) model.Shape {
	B := o.BatchSize
	return model.Shape{B: B, T: Longest(seqs, val), P: o.PrefixLen, N: MostTokens(B, seqs, val), H: MostTargets(B, seqs, val)}
}

// Batch converts a data batch to the model's input.
func Batch(b data.Batch) model.Batch {
	return model.Batch{B: b.B, T: b.T, Tokens: b.Tokens, Targets: b.Targets, Valid: b.Valid}
}

// MeanLoss returns the mean target-token loss of seqs under loss (a
// trainer's Loss), in batches of B, and the number of target tokens.
func MeanLoss(loss func(model.Batch) (float64, int, error), seqs []data.Sequence, B int, pad int32) (float64, int, error) {
	var sum float64
	var n int
	for i := 0; i < len(seqs); i += B {
		s, k, err := loss(Batch(data.MakeBatch(seqs[i:min(i+B, len(seqs))], pad)))
		if err != nil {
			return 0, 0, err
		}
		sum, n = sum+s, n+k
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("the data has no target tokens: every completion is cut off by the sequence length")
	}
	return sum / float64(n), n, nil
}

// Init says how a prefix starts: from N(0,1) (the zero Init), from the
// model's keys and values over Text (token ids), or from the rows of an
// adapter made for this model.
type Init struct {
	Text    []int32
	Adapter *adapter.Config
	Rows    []float32
}

// CheckTokenizer reports a tokenizer that cannot serve a model of c: one
// without an end-of-text token, or with ids past the model's vocabulary.
func CheckTokenizer(c model.Config, tok *tokenizer.Tokenizer) error {
	if tok.EOS() < 0 {
		return fmt.Errorf("the tokenizer has no end-of-text token (<|endoftext|>), which marks where completions end")
	}
	if tok.VocabSize() > c.VocabSize {
		return fmt.Errorf("the tokenizer has %d tokens but the model only %d: they do not belong together", tok.VocabSize(), c.VocabSize)
	}
	return nil
}

// AdapterConfig is the adapter_config.json of a P-token prefix of a model
// of c, named after base. As PEFT writes it for grouped-query models
// (since 0.12), token_dim is HS*KVH and num_attention_heads is KVH.
func AdapterConfig(c model.Config, P int, base string) adapter.Config {
	return adapter.NewConfig(base, P, c.NLayer, c.KVHeads(), c.TokenDim())
}

// CheckAdapter reports an adapter that was not made for a model of c.
func CheckAdapter(c model.Config, cfg adapter.Config) error {
	if cfg.NumLayers != c.NLayer || cfg.TokenDim != c.TokenDim() || cfg.NumAttentionHeads != c.KVHeads() {
		return fmt.Errorf("the adapter was made for %d layers x %d heads x %d dims, this model has %d x %d x %d",
			cfg.NumLayers, cfg.NumAttentionHeads, cfg.TokenDim, c.NLayer, c.KVHeads(), c.TokenDim())
	}
	return nil
}

// NewPrefix allocates the prefix of a run and initialises it.
func NewPrefix(m *model.Model, o Options, in Init, seed uint64) (*prefix.Prefix, error) {
	p := prefix.New(m, o.PrefixLen, o.Projection)
	switch {
	case in.Adapter != nil:
		if err := CheckAdapter(m.Config, *in.Adapter); err != nil {
			return nil, err
		}
		if in.Adapter.NumVirtualTokens != p.P {
			return nil, fmt.Errorf("the adapter has %d virtual tokens but the prefix length is %d", in.Adapter.NumVirtualTokens, p.P)
		}
		return p, p.InitRows(m, in.Rows)
	case in.Text != nil:
		return p, p.InitFromText(m, in.Text, seed)
	}
	p.InitRandom(m, seed)
	return p, nil
}

// Step is one optimiser step of a run, as one line of `prefixtune train
// --log-json`.
type Step struct {
	Step     int      `json:"step"` // 1-based
	Loss     float64  `json:"loss"`
	LR       float64  `json:"lr"`
	Tokens   int      `json:"tokens"` // target tokens
	GradNorm float64  `json:"grad_norm"`
	ValLoss  *float64 `json:"val_loss,omitempty"`
	// Recovered marks a step undone because its loss or gradient was not
	// finite; the learning rate is halved from then on.
	Recovered bool `json:"recovered,omitempty"`
	Real      int  `json:"-"` // real (not padding) tokens through the model
}

// maxRecoveries is how many steps in a row may be undone before a run
// gives up as diverged.
const maxRecoveries = 4

// ErrDiverged marks the error of a step whose loss was not finite.
var ErrDiverged = errors.New("training diverged")

type diverged struct{ error }

func (diverged) Is(target error) bool { return target == ErrDiverged }

// Run trains a prefix over a training set, validating (when there is a
// validation set) every ValEvery steps or after every epoch, and at the
// end; with Patience it stops early, and with RestoreBest it ends on the
// prefix of its best validation.
type Run struct {
	Trainer *train.Trainer
	Loader  *data.Loader
	Val     []data.Sequence
	Steps   int // the run's optimiser steps
	B       int
	o       Options

	best     float64   // best validation loss so far
	bestStep int       // its step; 0 before any validation
	bestRows []float32 // the trainable parameters at bestStep
	stale    int       // validations since the best
	Stopped  bool      // stopped early: Patience validations without a new best
	undone   int       // steps undone in a row
}

// New prepares a run of prefix p of model m over seqs (and val, which may
// be empty), with pad the padding token (the end-of-text token).
func New(m *model.Model, p *prefix.Prefix, seqs, val []data.Sequence, pad int32, o Options) (*Run, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if len(seqs) == 0 {
		return nil, fmt.Errorf("the training data has no examples")
	}
	loader := o.loader(seqs, pad)
	steps := o.TotalSteps(len(seqs))
	lr := o.LR
	if lr == 0 {
		lr = DefaultLR(o.Projection)
	}
	opts := train.Options{LR: lr, Schedule: o.Schedule, Warmup: o.Warmup, Steps: steps, WeightDecay: o.WeightDecay, Clip: o.Clip}
	tr := train.New(m, p, opts, o.Shape(seqs, val))
	return &Run{Trainer: tr, Loader: loader, Val: val, Steps: steps, B: o.BatchSize, o: o}, nil
}

// Done reports whether every step has been taken, or the run stopped early.
func (r *Run) Done() bool { return r.Stopped || r.Trainer.Step() >= r.Steps }

// Best returns the step and loss of the best validation (step 0: none yet).
func (r *Run) Best() (step int, loss float64) { return r.bestStep, r.best }

// validates reports whether step s (1-based) ends with a validation.
func (r *Run) validates(s int) bool {
	every := r.o.ValEvery
	if every == 0 {
		every = r.Loader.StepsPerEpoch()
	}
	return len(r.Val) > 0 && (s%every == 0 || s == r.Steps)
}

// track records validation loss v at step s: a new best keeps the
// parameters; Patience validations without one stop the run.
func (r *Run) track(s int, v float64) {
	if r.bestStep == 0 || v < r.best {
		r.best, r.bestStep, r.stale = v, s, 0
		if r.o.RestoreBest {
			r.bestRows = r.Trainer.Checkpoint(nil).Params
		}
		return
	}
	r.stale++
	if r.o.Patience > 0 && r.stale >= r.o.Patience {
		r.Stopped = true
	}
}

// Finish ends the run: with RestoreBest, the prefix goes back to the
// parameters of the best validation. It returns the step whose prefix the
// run ends with.
func (r *Run) Finish() int {
	if !r.o.RestoreBest || r.bestRows == nil {
		return r.Trainer.Step()
	}
	p := r.Trainer.Prefix
	r.Trainer.Model.Dev.Upload(p.Params, r.bestRows)
	return r.bestStep
}

// Step takes the next optimiser step.
func (r *Run) Step() (Step, error) {
	s := r.Trainer.Step()
	if s >= r.Steps {
		return Step{}, fmt.Errorf("the run has taken all of its %d steps", r.Steps)
	}
	b, err := r.Loader.Batch(s)
	if err != nil {
		return Step{}, err
	}
	if b.NTargets == 0 {
		return Step{}, fmt.Errorf("step %d: the batch has no target tokens: every completion was cut off by the sequence length; raise the sequence length or shorten the prompts", s+1)
	}
	res, err := r.Trainer.TrainStep(Batch(b))
	if err != nil {
		return Step{}, err
	}
	if res.Recovered {
		r.undone++
		if r.undone > maxRecoveries {
			return Step{}, diverged{fmt.Errorf("step %d: the loss or gradient stayed non-finite (%v) after halving the learning rate %d times; start again with a lower learning rate", res.Step, res.Loss, maxRecoveries)}
		}
	} else {
		r.undone = 0
	}
	st := Step{Step: res.Step, Loss: res.Loss, LR: res.LR, Tokens: res.Tokens, GradNorm: res.GradNorm, Recovered: res.Recovered}
	for _, v := range b.Valid {
		st.Real += int(v)
	}
	if r.validates(res.Step) {
		v, _, err := MeanLoss(r.Trainer.Loss, r.Val, r.B, r.Loader.Pad)
		if err != nil {
			return st, fmt.Errorf("validation after step %d: %w", res.Step, err)
		}
		st.ValLoss = &v
		r.track(res.Step, v)
	}
	return st, nil
}
