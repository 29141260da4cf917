package protocol

import "strings"

// DefaultHubBase is the model hub that Hub.Base defaults to.
const DefaultHubBase = "https://huggingface.co"

// Hub names a model repository on a Hugging Face-style hub. Its files are
// fetched from Base/Repo/resolve/Revision/<file>.
type Hub struct {
	Base     string `json:"base,omitempty"`     // default DefaultHubBase
	Repo     string `json:"repo"`               // "owner/name"
	Revision string `json:"revision,omitempty"` // default "main"
}

// URL returns the address of file in the repository.
func (h Hub) URL(file string) string {
	base, rev := strings.TrimRight(h.Base, "/"), h.Revision
	if base == "" {
		base = DefaultHubBase
	}
	if rev == "" {
		rev = "main"
	}
	return base + "/" + strings.Trim(h.Repo, "/") + "/resolve/" + rev + "/" + file
}

// CheckModel asks what a model's config.json says (family, size, the
// memory its weights will take) and whether the page can tune it, before
// any weights are read. Result: ModelChecked.
type CheckModel struct {
	Config string `json:"config"` // the text of config.json
}

// LoadModel loads a GPT-2 (config.json, model.safetensors, tokenizer.json)
// either from posted files, matched by file name, or from a hub, through
// the browser's cache so that a second load needs no network. It replaces
// the model, the current prefix and any run. Progress: phases
// PhaseDownload and PhaseWeights. Result: ModelLoaded.
type LoadModel struct {
	Files []int `json:"files,omitempty"` // indices of the posted files
	Hub   *Hub  `json:"hub,omitempty"`
	// Folder is the name of the folder the posted files came from, when
	// the page knows it: it names the model (ModelLoaded.Name).
	Folder string `json:"folder,omitempty"`
}

// LoadData reads a posted training file (JSON Lines, CSV or text; see
// package core/data for the formats). With Validation it becomes the
// validation set instead, evaluated after every epoch; with Test the test
// set, which only Evaluate scores. A new training file drops the test file
// loaded before it (a test set belongs to the data it was held out of);
// the validation file stays until another replaces it. Result: DataLoaded.
type LoadData struct {
	File   int    `json:"file"`             // index of the posted file
	Format string `json:"format,omitempty"` // "jsonl", "csv" or "text"; empty: from the file name
	// Column names (CSV header names or JSONL keys); empty: prompt,
	// completion and text.
	PromptColumn     string `json:"prompt_column,omitempty"`
	CompletionColumn string `json:"completion_column,omitempty"`
	TextColumn       string `json:"text_column,omitempty"`
	// Template is the prompt template (core/data.ParseTemplate, as
	// `prefixtune train --template`): every prompt is written into it
	// for statistics, training and evaluation alike.
	Template   string `json:"template,omitempty"`
	Validation bool   `json:"validation,omitempty"`
	Test       bool   `json:"test,omitempty"`
}

// DescribeData tokenises the loaded training (or validation) data with the
// model's tokenizer and describes it at a sequence length. Result:
// DataStats.
type DescribeData struct {
	SeqLen     int  `json:"seq_len,omitempty"`    // 0: the default of TrainOptions.SeqLen
	PrefixLen  int  `json:"prefix_len,omitempty"` // taken from the model's positions when SeqLen is 0
	Validation bool `json:"validation,omitempty"`
}

// Estimate predicts the memory and time of a run with these options on the
// loaded model and data, before starting it. Result: Estimated.
type Estimate struct {
	Options TrainOptions `json:"options"`
}

// Train starts a new run on the loaded model and data (it replaces the
// current run; saved checkpoints stay). Progress: phases PhaseInit,
// PhaseTrain (whose Log holds every step, with the validation loss after
// every epoch) and PhaseCheckpoint. Result: Trained, when the run ends or
// is paused.
type Train struct {
	Options TrainOptions `json:"options"`
}

// Pause stops the running training after its current step and saves a
// checkpoint. Result: Paused (and the Train or Resume request ends with
// Trained, status "paused").
type Pause struct{}

// Resume continues the paused run, or the run of a loaded checkpoint.
// Progress and result as Train.
type Resume struct{}

// Cancel stops the running request (loading, training, evaluation,
// generation), which ends with an Error of code CodeCancelled. A cancelled
// run keeps its state and can be resumed. Result: OK.
type Cancel struct{}

// Which models Evaluate scores.
const (
	Both     = "both"
	Base     = "base"
	Prefixed = "prefixed"
)

// Which data Evaluate scores.
const (
	TrainData      = "train"
	ValidationData = "validation"
	TestData       = "test"
)

// Evaluate is `prefixtune eval --baselines` in the engine: it scores the
// base model zero-shot and, with Shots, few-shot with that many examples
// drawn from the training split (Seed), and the model with the current
// prefix (the run's, or an imported adapter), on a data set: the mean loss
// and perplexity of the completion tokens, with Generate BLEU, ROUGE-L and
// exact match of greedy outputs, with Classify the accuracy and macro-F1 of
// the most likely label (the distinct completions of the data), with
// Numeric the RMSE and MAE of generated numbers; each figure with a
// bootstrap confidence interval. Progress: PhaseEvaluate (Task names the
// model being scored). Cancel stops it. Result: Evaluated.
type Evaluate struct {
	Which     string `json:"which,omitempty"`      // Both (default), Base or Prefixed
	Data      string `json:"data,omitempty"`       // TrainData (default: all of the loaded file), ValidationData or TestData
	BatchSize int    `json:"batch_size,omitempty"` // 0: 8
	SeqLen    int    `json:"seq_len,omitempty"`    // 0: as TrainOptions.SeqLen
	Shots     int    `json:"shots,omitempty"`      // few-shot examples of the base model's second baseline (0: none)
	Generate  bool   `json:"generate,omitempty"`
	Classify  bool   `json:"classify,omitempty"`
	Numeric   bool   `json:"numeric,omitempty"`
	MaxNew    int    `json:"max_new_tokens,omitempty"` // tokens generated at most per prompt; 0: 64
	Samples   int    `json:"samples,omitempty"`        // generated samples kept per model; 0: 5
	Bootstrap int    `json:"bootstrap,omitempty"`      // bootstrap resamples; 0: 1000
	Seed      uint64 `json:"seed,omitempty"`           // the bootstrap's and the few-shot draw's; 0: 1, as the command
}

// Generate continues a prompt, streaming each token as a Token event.
// Temperature 0 is greedy. Result: Generated.
type Generate struct {
	Prompt      string  `json:"prompt"`
	Prefixed    bool    `json:"prefixed,omitempty"` // with the current prefix
	Temperature float64 `json:"temperature,omitempty"`
	TopK        int     `json:"top_k,omitempty"` // 0: all tokens
	Seed        uint64  `json:"seed,omitempty"`
	MaxTokens   int     `json:"max_tokens,omitempty"` // 0: 50
}

// ExportAdapter returns the current prefix as a PEFT adapter. Result:
// AdapterFiles.
type ExportAdapter struct {
	BaseModel string `json:"base_model,omitempty"` // base_model_name_or_path; empty: the model's name
}

// ImportAdapter reads a posted PEFT prefix-tuning adapter and makes it the
// current prefix (for Evaluate, Generate, and TrainOptions.Init "adapter").
// Result: AdapterImported.
type ImportAdapter struct {
	Config  int `json:"config"`  // index of the posted adapter_config.json
	Weights int `json:"weights"` // index of the posted adapter_model.safetensors
}

// ListCheckpoints lists the runs saved in the browser. Result: Checkpoints.
type ListCheckpoints struct{}

// LoadCheckpoint restores a saved run (its prefix, optimiser state, data
// and options) onto the loaded model, ready for Resume. Result:
// CheckpointLoaded.
type LoadCheckpoint struct {
	RunID string `json:"run_id"`
}

// DeleteCheckpoint removes a saved run. Result: OK.
type DeleteCheckpoint struct {
	RunID string `json:"run_id"`
}

func (CheckModel) RequestType() string       { return "check_model" }
func (LoadModel) RequestType() string        { return "load_model" }
func (LoadData) RequestType() string         { return "load_data" }
func (DescribeData) RequestType() string     { return "describe_data" }
func (Estimate) RequestType() string         { return "estimate" }
func (Train) RequestType() string            { return "train" }
func (Pause) RequestType() string            { return "pause" }
func (Resume) RequestType() string           { return "resume" }
func (Cancel) RequestType() string           { return "cancel" }
func (Evaluate) RequestType() string         { return "evaluate" }
func (Generate) RequestType() string         { return "generate" }
func (ExportAdapter) RequestType() string    { return "export_adapter" }
func (ImportAdapter) RequestType() string    { return "import_adapter" }
func (ListCheckpoints) RequestType() string  { return "list_checkpoints" }
func (LoadCheckpoint) RequestType() string   { return "load_checkpoint" }
func (DeleteCheckpoint) RequestType() string { return "delete_checkpoint" }
