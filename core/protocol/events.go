package protocol

import "fmt"

// Caps are what the browser offers the engine.
type Caps struct {
	SIMD     bool `json:"simd"`     // WebAssembly SIMD128
	Relaxed  bool `json:"relaxed"`  // relaxed SIMD
	Isolated bool `json:"isolated"` // cross-origin isolated: SharedArrayBuffer and threads
	Threads  int  `json:"threads"`  // logical processors the browser reports
}

// Ready is the engine's first event (id 0): it accepts requests from now on.
type Ready struct {
	Caps        Caps   `json:"caps"`
	Device      string `json:"device"`       // the compute device, e.g. "browser-relaxed/2" (SIMD kernels on 2 threads)
	PoolThreads int    `json:"pool_threads"` // threads of the kernel pool (1 without cross-origin isolation)
}

// Phases of Progress.
const (
	PhaseDownload   = "download"   // fetching a model file from the hub
	PhaseWeights    = "weights"    // reading weights into the arena
	PhaseInit       = "init"       // tokenising and initialising a run
	PhaseTrain      = "train"      // optimiser steps
	PhaseCheckpoint = "checkpoint" // saving a checkpoint
	PhaseEvaluate   = "evaluate"   // Evaluate
)

// StepLog is one optimiser step, as one line of `prefixtune train
// --log-json`.
type StepLog struct {
	Step     int      `json:"step"` // 1-based
	Loss     float64  `json:"loss"`
	LR       float64  `json:"lr"`
	Tokens   int      `json:"tokens"` // target tokens in the batch
	GradNorm float64  `json:"grad_norm"`
	ValLoss  *float64 `json:"val_loss,omitempty"`
	// Recovered marks a step undone because its loss, gradient or update
	// was not finite: the prefix went back to the last good state and the
	// learning rate was halved from then on. A Loss or GradNorm that was
	// not finite is sent as 0 (JSON has no NaN).
	Recovered bool `json:"recovered,omitempty"`
}

// Progress reports a long request at least once a second, even while one
// training step takes longer (it is then posted from inside the step, with
// no Log), and after the first step and every step a second or more after
// the previous Progress. Fields that do not apply to the phase are zero.
type Progress struct {
	Phase      string `json:"phase"`
	File       string `json:"file,omitempty"`        // the file being downloaded or read
	Task       string `json:"task,omitempty"`        // what is being done, for people (Evaluate: the model being scored)
	Bytes      int64  `json:"bytes,omitempty"`       // bytes done
	BytesTotal int64  `json:"bytes_total,omitempty"` // 0 when unknown
	Step       int    `json:"step,omitempty"`        // steps (or batches) done
	Steps      int    `json:"steps,omitempty"`       // of this many
	// Within is how far the step after Step has come, from 0 to 1,
	// reckoned from the compute calls of the step before it (0 while the
	// first step runs).
	Within  float64 `json:"within,omitempty"`
	Threads int     `json:"threads,omitempty"` // training: the kernel threads the run computes on
	// Training: the latest step, and every step since the previous
	// Progress (none is left out, so a loss curve is complete).
	Loss            float64   `json:"loss,omitempty"`
	ValLoss         *float64  `json:"val_loss,omitempty"` // the latest validation loss
	LR              float64   `json:"lr,omitempty"`
	TokensPerSecond float64   `json:"tokens_per_second,omitempty"` // real (not padding) tokens through the model
	ETASeconds      float64   `json:"eta_seconds,omitempty"`
	Log             []StepLog `json:"log,omitempty"`
}

// Token is one generated token: its id and the text it completes (empty
// while its bytes end inside a UTF-8 character; they come with a later
// token).
type Token struct {
	ID   int    `json:"token_id"`
	Text string `json:"text"`
}

// Error codes a UI can act on.
const (
	CodeBadRequest  = "bad_request"   // the request is malformed or comes too early (load a model first, ...)
	CodeBadModel    = "bad_model"     // the model files are missing, unsupported or damaged
	CodeBadData     = "bad_data"      // the data file cannot be used; the message names the line
	CodeNetwork     = "network"       // a download failed; check the connection or the hub address
	CodeStorage     = "storage"       // the browser's storage (cache, checkpoints) failed or is full
	CodeOutOfMemory = "out_of_memory" // the run does not fit; use a shorter sequence length or batch
	CodeNaNLoss     = "nan_loss"      // training diverged; lower the learning rate
	CodeCancelled   = "cancelled"     // stopped by Cancel
	CodeUnsupported = "unsupported"   // the browser lacks a feature the engine needs
	CodeInternal    = "internal"      // a bug: the message says what happened
	// CodeEngineStopped ends every request that was running when the
	// engine worker died (it crashed or stopped answering); with id 0 it
	// tells the page so. The page (public/engine.js) starts a fresh engine,
	// which sends Ready again.
	CodeEngineStopped = "engine_stopped"
)

// Error ends a request that failed. Message says what is wrong and what to
// do, for a person.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an Error with the given code and formatted message.
func Errorf(code, format string, args ...any) Error {
	return Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// OK ends a request that has nothing to report (Cancel, DeleteCheckpoint).
type OK struct{}

// Architecture is what a model's config.json says about it.
type Architecture struct {
	Family      string `json:"family"` // config.json's model_type: "gpt2" or "llama"
	Layers      int    `json:"layers"`
	Heads       int    `json:"heads"`
	KVHeads     int    `json:"kv_heads"` // key/value heads: Heads, or fewer with grouped-query attention
	Embd        int    `json:"embd"`
	Positions   int    `json:"positions"`
	Vocab       int    `json:"vocab"`
	Params      int    `json:"params"`
	Weights     string `json:"weights"`      // the weight matrices' type in memory: "F32", or "F16"/"BF16" kept 16-bit
	WeightBytes int64  `json:"weight_bytes"` // the model's share of the engine's memory
}

// ModelChecked answers CheckModel. Weights is the type config.json's
// torch_dtype announces (the weights file has the last word when loading).
type ModelChecked struct {
	Architecture
	Problem string `json:"problem,omitempty"` // why the page cannot tune the model, and what to pick instead; empty if it can
	Warning string `json:"warning,omitempty"` // it can, but slowly or tightly
}

// ModelLoaded answers LoadModel.
type ModelLoaded struct {
	Name string `json:"name"`          // the hub repository; for posted files LoadModel.Folder, else config.json's _name_or_path, else the weights file name
	Hub  *Hub   `json:"hub,omitempty"` // where it came from, if from a hub
	Architecture
	Bytes       int64  `json:"bytes"`       // size of model.safetensors
	Cached      bool   `json:"cached"`      // every hub file came from the browser cache
	Fingerprint string `json:"fingerprint"` // identifies the model for checkpoints
	// BOS is the token the model reads before every text, as text (Llama-2's
	// "<s>"), and EOS the end-of-text token after every example
	// ("<|endoftext|>"); empty when the tokenizer has none.
	BOS string `json:"bos,omitempty"`
	EOS string `json:"eos,omitempty"`
}

// DataLoaded answers LoadData.
type DataLoaded struct {
	Name       string `json:"name"`
	Format     string `json:"format"`
	Examples   int    `json:"examples"`
	Bytes      int64  `json:"bytes"`
	Validation bool   `json:"validation,omitempty"`
	Test       bool   `json:"test,omitempty"`
	// Completions is the number of distinct completions (the labels, when
	// every completion is one); Numeric is set when every completion is a
	// number.
	Completions int  `json:"completions"`
	Numeric     bool `json:"numeric,omitempty"`
}

// Bin counts the examples whose token length is at most Upto (and above
// the previous bin's).
type Bin struct {
	Upto  int `json:"upto"`
	Count int `json:"count"`
}

// DataStats answers DescribeData. Lengths count prompt + completion + end
// token, before truncation.
type DataStats struct {
	Examples     int     `json:"examples"`
	SeqLen       int     `json:"seq_len"`       // the length examples are cut to
	Tokens       int     `json:"tokens"`        // all tokens, before truncation
	TargetTokens int     `json:"target_tokens"` // tokens that carry loss, after truncation
	MinLen       int     `json:"min_len"`
	MaxLen       int     `json:"max_len"`
	MeanLen      float64 `json:"mean_len"`
	Histogram    []Bin   `json:"histogram"`
	Truncated    int     `json:"truncated"`  // examples longer than SeqLen
	NoTargets    int     `json:"no_targets"` // examples whose completion is cut off entirely
}

// Estimated answers Estimate.
type Estimated struct {
	WeightBytes     int64   `json:"weight_bytes"`     // the frozen model
	ActivationBytes int64   `json:"activation_bytes"` // activations and backward scratch of one batch
	PrefixBytes     int64   `json:"prefix_bytes"`     // prefix, gradients, AdamW moments, MLP
	TotalBytes      int64   `json:"total_bytes"`      // the arena
	BudgetBytes     int64   `json:"budget_bytes"`     // the largest arena the browser gives the engine
	Steps           int     `json:"steps"`
	StepSeconds     float64 `json:"step_seconds"`        // measured on the first batch, scaled to the mean one
	NotTimed        string  `json:"not_timed,omitempty"` // why StepSeconds is 0, when it is
	TotalSeconds    float64 `json:"total_seconds"`
}

// Run statuses of Trained.
const (
	StatusDone   = "done"
	StatusPaused = "paused"
)

// Trained answers Train and Resume.
type Trained struct {
	RunID   string   `json:"run_id"`
	Status  string   `json:"status"` // StatusDone or StatusPaused
	Step    int      `json:"step"`
	Steps   int      `json:"steps"`
	Loss    float64  `json:"loss"` // of the last step
	ValLoss *float64 `json:"val_loss,omitempty"`
}

// Paused answers Pause, once the checkpoint is saved.
type Paused struct {
	RunID string `json:"run_id"`
	Step  int    `json:"step"`
}

// Score is a model's mean loss on the target tokens of a data set.
type Score struct {
	Loss       float64 `json:"loss"`
	Perplexity float64 `json:"perplexity"`
	Examples   int     `json:"examples"`
	Tokens     int     `json:"tokens"`
}

// Interval is a statistic with its bootstrap confidence interval.
type Interval struct {
	Point     float64 `json:"point"`
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	Level     float64 `json:"level"`     // e.g. 0.95
	Resamples int     `json:"resamples"` // bootstrap resamples it rests on
}

// Regression is the error of generated numbers against numeric targets.
type Regression struct {
	RMSE     float64 `json:"rmse"`
	MAE      float64 `json:"mae"`
	Parsed   int     `json:"parsed"`   // outputs that held a number
	Unparsed int     `json:"unparsed"` // outputs that did not, left out
}

// Sample is one prompt, its references and a model's greedy output.
type Sample struct {
	Prompt     string   `json:"prompt"`
	References []string `json:"references"`
	Output     string   `json:"output"`
}

// Kinds of Report.
const (
	ReportZeroShot = "zero-shot" // the base model
	ReportFewShot  = "few-shot"  // the base model with in-context examples
	ReportPrefix   = "prefix"    // the model with the prefix
)

// Report is the evaluation of one model on the data, as a column of
// `prefixtune eval --report`. Metrics not asked for are nil.
type Report struct {
	Name       string      `json:"name"` // as the command names it: "base, zero-shot", "base, 3-shot", "prefix"
	Kind       string      `json:"kind"` // ReportZeroShot, ReportFewShot or ReportPrefix
	Examples   int         `json:"examples"`
	Prompts    int         `json:"prompts"` // distinct prompts (generation scores one output per prompt)
	Tokens     int         `json:"target_tokens"`
	Loss       Interval    `json:"loss"`
	Perplexity float64     `json:"perplexity"`
	BLEU       *Interval   `json:"bleu,omitempty"`
	RougeL     *Interval   `json:"rouge_l,omitempty"`
	ExactMatch *Interval   `json:"exact_match,omitempty"`
	Accuracy   *Interval   `json:"accuracy,omitempty"`
	MacroF1    *Interval   `json:"macro_f1,omitempty"`
	Regression *Regression `json:"regression,omitempty"`
	Samples    []Sample    `json:"samples,omitempty"`
}

// Evaluated answers Evaluate: a Report for each model scored (base
// zero-shot, base few-shot, prefixed, in that order), Base and Prefixed
// the losses of the first and the last, and what the prefix trains.
type Evaluated struct {
	Base     *Score   `json:"base,omitempty"`
	Prefixed *Score   `json:"prefixed,omitempty"`
	Reports  []Report `json:"reports,omitempty"`
	Labels   []string `json:"labels,omitempty"` // the candidate labels of Classify
	// PrefixParams counts the numbers of the prefix (saved in the
	// adapter); TrainedParams those a run trains (with the MLP, its
	// embedding and layers instead); ModelParams the frozen model's.
	PrefixParams  int `json:"prefix_params,omitempty"`
	TrainedParams int `json:"trained_params,omitempty"`
	ModelParams   int `json:"model_params,omitempty"`
}

// Generated answers Generate.
type Generated struct {
	Text    string `json:"text"`
	Tokens  []int  `json:"tokens"`
	Stopped bool   `json:"stopped"` // ended at the end-of-text token
}

// AdapterFiles answers ExportAdapter: the two files of a PEFT adapter.
type AdapterFiles struct {
	Config  []byte `json:"config"`  // adapter_config.json
	Weights []byte `json:"weights"` // adapter_model.safetensors
}

// AdapterImported answers ImportAdapter.
type AdapterImported struct {
	VirtualTokens int    `json:"virtual_tokens"`
	BaseModel     string `json:"base_model"`
}

// RunInfo describes a saved run.
type RunInfo struct {
	RunID     string       `json:"run_id"`
	Step      int          `json:"step"`
	Steps     int          `json:"steps"`
	Loss      float64      `json:"loss"`
	Model     string       `json:"model"` // ModelLoaded.Name
	Hub       *Hub         `json:"hub,omitempty"`
	ModelID   string       `json:"model_fingerprint"`
	Data      string       `json:"data"`               // the training file's name
	ValData   string       `json:"val_data,omitempty"` // the validation file's name
	Options   TrainOptions `json:"options"`
	SavedUnix int64        `json:"saved_unix_ms"`
	Bytes     int64        `json:"bytes"`
}

// Checkpoints answers ListCheckpoints, newest first.
type Checkpoints struct {
	Runs []RunInfo `json:"runs"`
}

// CheckpointLoaded answers LoadCheckpoint.
type CheckpointLoaded struct {
	Run     RunInfo   `json:"run"`
	History []StepLog `json:"history"` // every step up to the checkpoint
}

func (Ready) EventType() string            { return "ready" }
func (Progress) EventType() string         { return "progress" }
func (Token) EventType() string            { return "token" }
func (Error) EventType() string            { return "error" }
func (OK) EventType() string               { return "ok" }
func (ModelLoaded) EventType() string      { return "model_loaded" }
func (ModelChecked) EventType() string     { return "model_checked" }
func (DataLoaded) EventType() string       { return "data_loaded" }
func (DataStats) EventType() string        { return "data_stats" }
func (Estimated) EventType() string        { return "estimated" }
func (Trained) EventType() string          { return "trained" }
func (Paused) EventType() string           { return "paused" }
func (Evaluated) EventType() string        { return "evaluated" }
func (Generated) EventType() string        { return "generated" }
func (AdapterFiles) EventType() string     { return "adapter_files" }
func (AdapterImported) EventType() string  { return "adapter_imported" }
func (Checkpoints) EventType() string      { return "checkpoints" }
func (CheckpointLoaded) EventType() string { return "checkpoint_loaded" }
