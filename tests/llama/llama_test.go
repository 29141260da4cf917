package llama

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/tensor"
	"prefixtune/core/tokenizer"
	"prefixtune/tests/browser/apptest"
	"prefixtune/tests/browser/browsertest"
	"prefixtune/worker/site"
)

// sample is the sample dataset trained on; prompt the text generated after
// (random weights with tied embeddings repeat its last token, "▁the", whose
// space Decode of the generated ids alone would drop).
const (
	sample = "wordnet-definitions"
	prompt = "word: water\ndefinition: the"
)

// TestLlamaInThePage loads a random BF16 Llama with grouped-query
// attention and the Llama-2 tokenizer from local files and from a
// loopback hub, checks what the Model step says of it, trains a few steps
// (the first loss as `prefixtune train` computes it natively) and streams
// a greedy generation (as the Llama-2 decode of the ids gives it).
func TestLlamaInThePage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site and runs Chromium")
	}
	dir := writeModel(t, "tiny-llama")
	const repo = "local/tiny-llama"
	var hubRequests atomic.Int32
	hubURL, _ := browsertest.Hub(t, repo, dir, &hubRequests)
	srv := apptest.ServeSite(t, web.Dir(t), site.Config{HubOrigins: []string{hubURL}, Compress: true})
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	p := apptest.Open(t, ctx, srv.URL+"/", apptest.Options{})

	// (a) The files, picked on disk: config.json is checked before loading.
	p.Click(`#model-source input[value="files"]`)
	var files []string
	for _, n := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		files = append(files, filepath.Join(dir, n))
	}
	p.Do("picking the model's files", chromedp.SetUploadFiles(chromedp.CSS("#model-files"), files))
	check := apptest.Wait[string](p, "the check of config.json", `(s => s.includes('Llama with') ? s : '')(document.querySelector('.check')?.textContent ?? '')`, 30*time.Second)
	for _, want := range []string{"Llama with 2 layers, 4 heads (2 key/value heads), 64 dimensions, 256 positions", "BF16, kept 16-bit weights"} {
		if !strings.Contains(check, want) {
			p.Fail("the check of config.json says %q, want %q in it", check, want)
		}
	}
	p.Screenshot("files-picked")
	p.Click("#model-load")
	p.LoadedModel()
	checkLoaded(p, "local files")
	loss, seqLen := train(p)

	// The first step's loss natively, on the same files and options.
	ds := filepath.Join(root, "public", "datasets", sample)
	log := prefixtune(t, "train", "--model", dir, "--data", filepath.Join(ds, "train.jsonl"), "--val", filepath.Join(ds, "validation.jsonl"),
		"--preset", "quick", "--steps", "3", "--seq-len", seqLen, "--seed", "0", "--log-json", "--out", t.TempDir())
	var first struct{ Loss float64 }
	if err := json.Unmarshal([]byte(strings.SplitN(log, "\n", 2)[0]), &first); err != nil {
		t.Fatalf("prefixtune train --log-json printed %q: %v", log, err)
	}
	t.Logf("first step's loss: page %.7f, prefixtune train %.7f", loss, first.Loss)
	if math.Abs(loss-first.Loss) > 1e-4*math.Abs(first.Loss) {
		t.Errorf("the page's first step has loss %.7f, prefixtune train's %.7f", loss, first.Loss)
	}

	// Greedy text streamed by the page: the Llama-2 decode of the ids
	// after the prompt's, spaces kept.
	p.Click("#nav-try")
	p.Set("try-prompt", prompt)
	p.Set("try-max-tokens", "16")
	p.Set("try-temperature", "0")
	p.Click("#try-button")
	apptest.Wait[bool](p, "the generations", `document.getElementById('try-prefixed').textContent.length > 0 && !document.querySelector('.busy')`, time.Minute)
	p.Screenshot("try")
	want, naive := decoded(t, dir)
	if want == naive {
		t.Fatalf("the decode of the generated ids alone (%q) keeps the leading space: pick a prompt whose continuation starts a word (with ▁)", naive)
	}
	if got := p.Text("try-base"); got != want {
		t.Errorf("the page streamed %q, the Llama-2 decode after the prompt is %q", got, want)
	}

	// (b) The same model from a hub on another origin (its address typed in
	// the Model step), then trained again: the same first loss.
	p.Click("#nav-model")
	p.Click(`#model-source input[value="hub"]`)
	p.Set("hub-repo", repo)
	p.Set("hub-base", hubURL)
	p.Click("#model-load")
	p.LoadedModel()
	if n := hubRequests.Load(); n != 3 {
		p.Fail("the hub got %d requests, want the model's 3 files", n)
	}
	checkLoaded(p, "the hub")
	if again, _ := train(p); math.Abs(again-loss) > 1e-6*math.Abs(loss) {
		t.Errorf("the model from the hub starts at loss %.7f, from files %.7f", again, loss)
	}
	p.CheckCSP()
}

// TestGenerateKeepsSpaces: `prefixtune generate` prints greedy text of the
// random Llama as the Llama-2 decode of the ids after the prompt's gives
// it, though each id is printed as it comes.
func TestGenerateKeepsSpaces(t *testing.T) {
	dir := writeModel(t, "tiny-llama")
	want, naive := decoded(t, dir)
	if want == naive {
		t.Fatalf("the decode of the generated ids alone (%q) keeps the leading space: pick a prompt whose continuation starts a word (with ▁)", naive)
	}
	if got := strings.TrimSuffix(prefixtune(t, "generate", "--model", dir, "--prompt", prompt, "--max-new-tokens", "16"), "\n"); got != want {
		t.Errorf("prefixtune generate printed %q, the Llama-2 decode after the prompt is %q", got, want)
	}
}

// checkLoaded checks what the Model step says of the loaded model.
func checkLoaded(p *apptest.Page, from string) {
	p.T.Helper()
	p.Click("#nav-model")
	info := p.Text("model-info")
	for _, want := range []string{"Llama: 2 layers × 4 heads (2 key/value heads), 64 dimensions, 256 positions, vocabulary of 32,000 tokens",
		"BF16, kept 16-bit", fmt.Sprintf("Parameters%.3g M", float64(model.NumParams(tinyLlama))/1e6)} {
		if !strings.Contains(info, want) {
			p.Fail("the model loaded from %s is described as %q, want %q in it", from, info, want)
		}
	}
	p.Screenshot("model-" + strings.ReplaceAll(from, " ", "-"))
}

// train loads the sample dataset, sets the quick preset for 3 steps on one
// thread, trains, and returns the loss of the first step and the sequence
// length the Tune step chose.
func train(p *apptest.Page) (loss float64, seqLen string) {
	p.T.Helper()
	p.Click("#nav-data")
	p.Sample(sample)
	p.Tune(map[string]string{"tune-steps": "3", "tune-threads": "1"})
	seqLen = apptest.Eval[string](p, `document.getElementById('tune-seq-len').value`)
	p.Click("#nav-train")
	p.Click("#train-button")
	apptest.Wait[bool](p, "the end of the run", apptest.Progress+`.startsWith('Done')`, 2*time.Minute)
	p.Screenshot("trained")
	return apptest.Eval[float64](p, `+document.getElementById('loss-chart').dataset.first`), seqLen
}

// decoded generates greedily after prompt natively and returns the text
// the generated ids add after the prompt's (Decode of the prompt's ids and
// the generated ones, less Decode of the prompt's), and Decode of the
// generated ids alone.
func decoded(t *testing.T, dir string) (after, alone string) {
	t.Helper()
	m, err := model.Load(tensor.NewFast(0), dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := m.Generate(model.Prefix{}, data.Encode(tok, prompt), 16, int32(tok.EOS()), model.Sampling{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, id := range gen {
		if id != int32(tok.EOS()) {
			ids = append(ids, int(id))
		}
	}
	head := tok.Decode(tok.Encode(prompt))
	full := tok.Decode(append(tok.Encode(prompt), ids...))
	if !strings.HasPrefix(full, head) {
		t.Fatalf("the decode of the prompt and its continuation %q does not start with the prompt's %q", full, head)
	}
	t.Logf("generated ids %v", ids)
	return full[len(head):], tok.Decode(ids)
}
