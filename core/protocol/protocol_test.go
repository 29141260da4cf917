package protocol

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func f64(x float64) *float64 { return &x }

// requests holds one value of every request type, with every field set.
var requests = []Request{
	CheckModel{Config: `{"model_type":"gpt2"}`},
	LoadModel{Files: []int{0, 2}, Hub: &Hub{Base: "http://127.0.0.1:9", Repo: "o/r", Revision: "v1"}, Folder: "gpt2-tiny"},
	LoadData{File: 1, Format: "csv", PromptColumn: "q", CompletionColumn: "a", TextColumn: "t", Template: `Q: {prompt}\n`, Validation: true, Test: true},
	DescribeData{SeqLen: 64, PrefixLen: 5, Validation: true},
	Estimate{Options: DefaultTrainOptions()},
	Train{Options: TrainOptions{PrefixLen: 5, Init: InitText, InitText: "hello", Projection: 32, LR: 0.01, Schedule: "cosine",
		Warmup: 2, Steps: 10, Epochs: 3, BatchSize: 2, SeqLen: 16, WeightDecay: 0.01, Clip: 0, Seed: 1 << 52, Shuffle: false,
		ValFraction: 0.25, TestFraction: 0.125, SaveEvery: 7, Threads: 3}},
	Pause{}, Resume{}, Cancel{},
	Evaluate{Which: Prefixed, Data: TestData, BatchSize: 4, SeqLen: 32, Shots: 3, Generate: true, Classify: true, Numeric: true,
		MaxNew: 48, Samples: 2, Bootstrap: 200, Seed: 9},
	Generate{Prompt: "name[Aromi]", Prefixed: true, Temperature: 0.7, TopK: 40, Seed: 3, MaxTokens: 9},
	ExportAdapter{BaseModel: "gpt2"},
	ImportAdapter{Config: 0, Weights: 1},
	ListCheckpoints{},
	LoadCheckpoint{RunID: "r1"},
	DeleteCheckpoint{RunID: "r2"},
}

// events holds one value of every event type, with every field set.
var events = []Event{
	Ready{Caps: Caps{SIMD: true, Relaxed: true, Isolated: true, Threads: 8}, Device: "fast", PoolThreads: 8},
	Progress{Phase: PhaseTrain, File: "model.safetensors", Task: "base, zero-shot", Bytes: 10, BytesTotal: 20, Step: 3, Steps: 9,
		Within: 0.5, Threads: 2, Loss: 2.5,
		ValLoss: f64(2.75), LR: 1e-3, TokensPerSecond: 1234.5, ETASeconds: 7,
		Log: []StepLog{{Step: 2, Loss: 2.6, LR: 5e-4, Tokens: 17, GradNorm: 0.5}, {Step: 3, Loss: 2.5, LR: 1e-3, Tokens: 12, GradNorm: 0.4, ValLoss: f64(2.75)}}},
	Token{ID: 50256, Text: "é"},
	Error{Code: CodeBadData, Message: "data.jsonl:3: no completion"},
	OK{},
	ModelChecked{Architecture: Architecture{Family: "gpt2", Layers: 48, Heads: 25, KVHeads: 25, Embd: 1600, Positions: 1024, Vocab: 50257,
		Params: 1557611200, Weights: "F32", WeightBytes: 6230444800}, Problem: "too large", Warning: "slow"},
	ModelLoaded{Name: "o/r", Hub: &Hub{Repo: "o/r"}, Architecture: Architecture{Family: "llama", Layers: 2, Heads: 4, KVHeads: 2, Embd: 64,
		Positions: 64, Vocab: 500, Params: 12345, Weights: "BF16", WeightBytes: 24690}, Bytes: 49380, Cached: true, Fingerprint: "abc", BOS: "<s>", EOS: "</s>"},
	DataLoaded{Name: "d.csv", Format: "csv", Examples: 6, Bytes: 300, Validation: true, Test: true, Completions: 3, Numeric: true},
	DataStats{Examples: 6, SeqLen: 16, Tokens: 80, TargetTokens: 40, MinLen: 8, MaxLen: 20, MeanLen: 13.3,
		Histogram: []Bin{{Upto: 8, Count: 1}, {Upto: 16, Count: 5}}, Truncated: 1, NoTargets: 1},
	Estimated{WeightBytes: 1, ActivationBytes: 2, PrefixBytes: 3, TotalBytes: 6, Steps: 10,
		StepSeconds: 0.5, TotalSeconds: 5},
	Trained{RunID: "r1", Status: StatusPaused, Step: 4, Steps: 10, Loss: 2.5, ValLoss: f64(3)},
	Paused{RunID: "r1", Step: 4},
	Evaluated{Base: &Score{Loss: 3, Perplexity: 20.08, Examples: 6, Tokens: 40}, Prefixed: &Score{Loss: 2},
		Reports: []Report{{Name: "base, 3-shot", Kind: ReportFewShot, Examples: 6, Prompts: 5, Tokens: 40,
			Loss: Interval{Point: 3, Lo: 2.5, Hi: 3.5, Level: 0.95, Resamples: 1000}, Perplexity: 20.08,
			BLEU: &Interval{Point: 12}, RougeL: &Interval{Point: 0.3}, ExactMatch: &Interval{Point: 0.1}, Accuracy: &Interval{Point: 0.5},
			MacroF1: &Interval{Point: 0.4}, Regression: &Regression{RMSE: 1.5, MAE: 1, Parsed: 5, Unparsed: 1},
			Samples: []Sample{{Prompt: "word: sun", References: []string{"a star", "the star"}, Output: "a star"}}}},
		Labels: []string{" law", " love"}, PrefixParams: 640, TrainedParams: 1280, ModelParams: 12345},
	Generated{Text: " Aromi", Tokens: []int{1, 2}, Stopped: true},
	AdapterFiles{Config: []byte(`{"peft_type": "PREFIX_TUNING"}`), Weights: []byte{0, 1, 2, 255}},
	AdapterImported{VirtualTokens: 5, BaseModel: "gpt2"},
	Checkpoints{Runs: []RunInfo{{RunID: "r1", Step: 4, Steps: 10, Loss: 2, Model: "o/r", Hub: &Hub{Repo: "o/r"}, ModelID: "abc",
		Data: "d.jsonl", ValData: "v.jsonl", Options: DefaultTrainOptions(), SavedUnix: 1700000000000, Bytes: 99}}},
	CheckpointLoaded{Run: RunInfo{RunID: "r1", Options: DefaultTrainOptions()}, History: []StepLog{{Step: 1, Loss: 3}}},
}

func TestEveryTypeIsRegistered(t *testing.T) {
	if len(requests) != len(requestTypes) || len(events) != len(eventTypes) {
		t.Fatalf("the tests cover %d requests and %d events, the registry has %d and %d",
			len(requests), len(events), len(requestTypes), len(eventTypes))
	}
	seen := map[string]bool{}
	for _, r := range requests {
		seen[r.RequestType()] = true
	}
	for _, e := range events {
		seen[e.EventType()] = true
	}
	if len(seen) != len(requests)+len(events) {
		t.Errorf("type tags are not unique")
	}
}

func TestRequestsRoundTrip(t *testing.T) {
	for i, r := range requests {
		id := uint64(i + 1)
		b, err := EncodeRequest(id, r)
		if err != nil {
			t.Fatal(err)
		}
		gotID, got, err := DecodeRequest(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if gotID != id || !reflect.DeepEqual(got, r) {
			t.Errorf("%s decoded as id %d %#v, want %#v", b, gotID, got, r)
		}
	}
}

func TestEventsRoundTrip(t *testing.T) {
	for i, e := range events {
		b, err := EncodeEvent(uint64(i), e)
		if err != nil {
			t.Fatal(err)
		}
		id, got, err := DecodeEvent(b)
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if id != uint64(i) || !reflect.DeepEqual(got, e) {
			t.Errorf("%s decoded as id %d %#v, want %#v", b, id, got, e)
		}
	}
}

// TestWireFormat pins the JSON that JavaScript writes and reads.
func TestWireFormat(t *testing.T) {
	b, err := EncodeRequest(3, Generate{Prompt: "hi", MaxTokens: 4})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":3,"type":"generate","body":{"prompt":"hi","max_tokens":4}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	b, err = EncodeEvent(3, AdapterFiles{Config: []byte("{}"), Weights: []byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":3,"type":"adapter_files","body":{"config":"e30=","weights":"AQ=="}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestTrainOptionsDefaults(t *testing.T) {
	_, r, err := DecodeRequest([]byte(`{"id":1,"type":"train","body":{"options":{"steps":10,"clip":0,"shuffle":false}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultTrainOptions()
	want.Steps, want.Clip, want.Shuffle = 10, 0, false
	if got := r.(Train).Options; got != want {
		t.Errorf("options %+v, want %+v", got, want)
	}
	// A body without options at all gets every default.
	_, r, err = DecodeRequest([]byte(`{"id":1,"type":"estimate"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.(Estimate).Options; got != DefaultTrainOptions() {
		t.Errorf("absent options decode as %+v, want the defaults", got)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, c := range []struct{ msg, want string }{
		{`{"id":1,"type":"frobnicate"}`, "unknown request type"},
		{`{"id":0,"type":"pause"}`, "without an id"},
		{`{"type":"pause"}`, "without an id"},
		{`{"id":1}`, "without a type"},
		{`{"id":1,"type":"train","body":{"options":{"lr":0.1,"learning_rate":1}}}`, "learning_rate"},
		{`{"id":1,"type":"generate","body":{"prompt":3}}`, "prompt"},
		{`{"id":1,"type":"pause","extra":1}`, "extra"},
		{`[1,2]`, "envelope"},
		{`{"id":1,"type":"pause"} {}`, "trailing"},
	} {
		_, _, err := DecodeRequest([]byte(c.msg))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeRequest(%s): %v, want an error mentioning %q", c.msg, err, c.want)
		}
	}
	if _, _, err := DecodeEvent([]byte(`{"id":1,"type":"train"}`)); err == nil {
		t.Errorf("a request type decoded as an event")
	}
	if _, err := EncodeRequest(0, Pause{}); err == nil {
		t.Errorf("EncodeRequest accepted id 0")
	}
}

func TestTerminal(t *testing.T) {
	for _, e := range events {
		want := true
		switch e.EventType() {
		case "progress", "token", "ready":
			want = false
		}
		if Terminal(e) != want {
			t.Errorf("Terminal(%s) = %v", e.EventType(), !want)
		}
	}
}

func TestHubURL(t *testing.T) {
	for _, c := range []struct {
		h    Hub
		want string
	}{
		{Hub{Repo: "gpt2"}, "https://huggingface.co/gpt2/resolve/main/config.json"},
		{Hub{Base: "http://127.0.0.1:8/hub/", Repo: "/o/r/", Revision: "abc"}, "http://127.0.0.1:8/hub/o/r/resolve/abc/config.json"},
	} {
		if got := c.h.URL("config.json"); got != c.want {
			t.Errorf("%+v: %s, want %s", c.h, got, c.want)
		}
	}
}

func TestErrorIsAnError(t *testing.T) {
	var err error = Errorf(CodeNaNLoss, "step %d: the loss is NaN", 3)
	if err.Error() != "nan_loss: step 3: the loss is NaN" {
		t.Errorf("%v", err)
	}
	b, _ := json.Marshal(err)
	if string(b) != `{"code":"nan_loss","message":"step 3: the loss is NaN"}` {
		t.Errorf("%s", b)
	}
}
