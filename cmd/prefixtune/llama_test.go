package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"prefixtune/core/tokenizer"
	"prefixtune/tests/reference/llama"
)

// TestLlamaTrainMatchesPyTorch trains a prefix of the multi-query Llama
// fixture (F16 weights, untied head) as its script did in PyTorch. PEFT's
// grouped-query adapter: token_dim = head_dim (10) x 1 kv head, 1 head.
func TestLlamaTrainMatchesPyTorch(t *testing.T) {
	checkTrainMatchesPyTorch(t, llama.Set("mqa"), "0.3", 10, 1)
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
