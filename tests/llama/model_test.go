package llama

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"prefixtune/core/model"
	"prefixtune/core/safetensors"
	"prefixtune/core/tensor"
	"prefixtune/tests/browser/apptest"
)

// tinyLlama is a Llama small enough for a quick test, with grouped-query
// attention (4 query heads share 2 key/value heads) and tied embeddings,
// over the Llama-2 vocabulary (<s> 1, </s> 2).
var tinyLlama = model.Config{ModelType: "llama", NLayer: 2, NHead: 4, NKVHead: 2, HeadDim: 16, NEmbd: 64, Intermediate: 96,
	NPositions: 256, VocabSize: 32000, LayerNorm: 1e-5, Activation: "silu", RopeTheta: 10000, BOSTokenID: 1, EOSTokenID: 2}

// writeModel writes a random tinyLlama as a Hugging Face folder named
// name: config.json (torch_dtype bfloat16), model.safetensors in BF16 and
// the Llama-2 tokenizer.json.
func writeModel(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	m, err := model.New(tensor.NewCPU(), tinyLlama)
	if err != nil {
		t.Fatal(err)
	}
	m.InitRandom(7)
	if err := m.Save(dir, safetensors.BF16); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c["torch_dtype"] = "bfloat16"
	if b, err = json.Marshal(c); err == nil {
		err = os.WriteFile(cfg, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	tok, err := os.ReadFile(filepath.Join(root, "tests", "reference", "tokenizer", "llama2_tokenizer.json"))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "tokenizer.json"), tok, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var root = filepath.Join("..", "..")

// web is the site, built once for the package's tests and removed by
// TestMain.
var web apptest.Site

func TestMain(m *testing.M) {
	code := m.Run()
	web.Remove()
	os.Exit(code)
}

// prefixtune runs the command and returns what it printed.
func prefixtune(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"run", "prefixtune/cmd/prefixtune"}, args...)...).Output()
	if err != nil {
		t.Fatalf("prefixtune %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
