package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/adapter"
	"prefixtune/core/tokenizer"
	"prefixtune/core/tune"
	"prefixtune/tests/reference/fixture"
	"prefixtune/tests/reference/llama"
)

// TestLlamaTrainMatchesPyTorch trains a prefix of the multi-query Llama
// fixture (F16 weights, untied head) as its script did in PyTorch.
func TestLlamaTrainMatchesPyTorch(t *testing.T) {
	out := t.TempDir()
	log := runCmd(t, "", "train", "--model", llama.Set("mqa").Path("model"), "--data", filepath.Join(ref, "data.jsonl"),
		"--prefix-len", "5", "--init", "adapter:"+llama.Set("mqa").Path("init_adapter"), "--lr", "0.01",
		"--schedule", "linear", "--warmup", "2", "--steps", "10", "--batch-size", "2", "--seq-len", "16",
		"--weight-decay", "0.01", "--clip", "0.3", "--no-shuffle", "--log-json", "--out", out)
	var losses []float64
	llama.Set("mqa").Expected(t, "train.losses", &losses)
	sc := bufio.NewScanner(strings.NewReader(log))
	step := 0
	for ; sc.Scan(); step++ {
		var s tune.Step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("line %d of --log-json is not JSON: %v", step+1, err)
		}
		if !fixture.Near(s.Loss, losses[step]) {
			t.Errorf("step %+v, PyTorch loss %.7g", s, losses[step])
		}
	}
	if step != 10 {
		t.Fatalf("%d steps logged, want 10", step)
	}
	cfg, rows, err := adapter.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	// PEFT's grouped-query adapter: token_dim = head_dim (10) x 1 kv head.
	if cfg.NumVirtualTokens != 5 || cfg.TokenDim != 10 || cfg.NumLayers != 2 || cfg.NumAttentionHeads != 1 {
		t.Errorf("adapter config %+v", cfg)
	}
	want := llama.Set("mqa").Tensor(t, "train.final")
	for i := range want {
		if !fixture.Near(float64(rows[i]), float64(want[i])) {
			t.Fatalf("adapter value %d = %g, PyTorch %g", i, rows[i], want[i])
		}
	}
}

// TestLlamaGenerateAndEval generates greedily after the fixture's adapter
// (PyTorch's ids, recomputed without a cache) and evaluates with it.
func TestLlamaGenerateAndEval(t *testing.T) {
	tok, err := tokenizer.Load(llama.Set("gqa").Path("model"))
	if err != nil {
		t.Fatal(err)
	}
	var prompt, ids []int
	llama.Set("gqa").Expected(t, "generate.prompt_ids", &prompt)
	llama.Set("gqa").Expected(t, "generate.ids", &ids)
	out := runCmd(t, "", "generate", "--model", llama.Set("gqa").Path("model"), "--adapter", llama.Set("gqa").Path("init_adapter"),
		"--prompt", tok.Decode(prompt), "--max-new-tokens", "8")
	if want := tok.Decode(ids) + "\n"; out != want {
		t.Errorf("generated %q, PyTorch %q", out, want)
	}
	var res struct{ Loss, Perplexity float64 }
	ev := runCmd(t, "", "eval", "--model", llama.Set("gqa").Path("model"), "--adapter", llama.Set("gqa").Path("init_adapter"),
		"--data", filepath.Join(ref, "data.jsonl"), "--json")
	if err := json.Unmarshal([]byte(ev), &res); err != nil || !(res.Loss > 0) || !(res.Perplexity > 1) {
		t.Errorf("eval: %s (%v)", ev, err)
	}
}
