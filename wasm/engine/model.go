//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"syscall/js"
	"time"

	"prefixtune/core/model"
	"prefixtune/core/protocol"
	"prefixtune/core/safetensors"
	"prefixtune/core/tokenizer"
	"prefixtune/core/tune"
)

// loadedModel is a model on the device with its tokenizer.
type loadedModel struct {
	m    *model.Model
	tok  *tokenizer.Tokenizer
	info protocol.ModelLoaded
	// stepSeconds holds the step times Estimate measured, by the
	// settings that change them.
	stepSeconds map[string]float64
}

// modelFiles are the files of a model: Blobs or Files, read in the worker.
type modelFiles struct {
	config, weights   js.Value
	tokenizer         js.Value // tokenizer.json, or undefined
	vocab, merges     js.Value // vocab.json and merges.txt when there is no tokenizer.json
	weightsName, name string
	cached            bool
}

func (e *engine) loadModel(j *job, r protocol.LoadModel) (protocol.Event, error) {
	var files modelFiles
	var err error
	switch {
	case r.Hub != nil && len(r.Files) > 0:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "give either posted files or a hub repository, not both")
	case r.Hub != nil:
		files, err = e.hubFiles(j, *r.Hub)
	case len(r.Files) > 0:
		files, err = postedFiles(j, r.Files)
	default:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "say where the model is: posted files or a hub repository")
	}
	if err != nil {
		return nil, err
	}
	configJSON, err := blobBytes(files.config)
	if err != nil {
		return nil, fail(protocol.CodeBadModel, err, "reading config.json")
	}
	cfg, err := model.ParseConfig(configJSON)
	if err != nil {
		return nil, fail(protocol.CodeBadModel, err, "config.json")
	}
	if k := tune.CheckConfig(configJSON); k.Problem != "" {
		return nil, protocol.Errorf(protocol.CodeOutOfMemory, "%s", k.Problem)
	}
	tok, tokBytes, err := readTokenizer(files)
	if err != nil {
		return nil, err
	}
	if err := tune.CheckTokenizer(cfg, tok); err != nil {
		return nil, fail(protocol.CodeBadModel, err, "")
	}

	last := time.Time{}
	size := int64(files.weights.Get("size").Float())
	rd := newBlobReader(files.weights, func(n int64) error {
		if j.isCancelled() {
			return errCancelled
		}
		if time.Since(last) >= progressEvery || n == size {
			last = time.Now()
			post(j.id, protocol.Progress{Phase: protocol.PhaseWeights, File: files.weightsName, Bytes: n, BytesTotal: size})
		}
		return nil
	})
	st, err := safetensors.Parse(rd, size)
	if err != nil {
		return nil, fail(protocol.CodeBadModel, err, files.weightsName)
	}
	fp, err := fingerprint(configJSON, tokBytes, rd)
	if err != nil {
		return nil, fail(protocol.CodeBadModel, err, files.weightsName)
	}
	// The files look right: the old model, run and adapter go with the old
	// device.
	if err := e.reopenDevice(); err != nil {
		return nil, fail(protocol.CodeInternal, err, "opening the compute device")
	}
	m, err := model.FromSafetensors(e.dev, cfg, st)
	if err != nil {
		return nil, fail(protocol.CodeBadModel, err, files.weightsName)
	}
	c := m.Config // with the weights' type the file gave
	info := protocol.ModelLoaded{Name: files.name, Hub: r.Hub, Architecture: architecture(c), Bytes: size, Cached: files.cached, Fingerprint: fp}
	if bos := tok.BOS(); bos >= 0 {
		info.BOS = tok.Decode([]int{bos})
	}
	if eos := tok.EOS(); eos >= 0 {
		info.EOS = tok.Decode([]int{eos})
	}
	e.model = &loadedModel{m: m, tok: tok, info: info, stepSeconds: map[string]float64{}}
	return info, nil
}

// checkModel answers CheckModel: what config.json says, before any weights.
func checkModel(r protocol.CheckModel) protocol.ModelChecked {
	k := tune.CheckConfig([]byte(r.Config))
	if k.Problem != "" {
		return protocol.ModelChecked{Problem: k.Problem}
	}
	return protocol.ModelChecked{Architecture: architecture(k.Config), Warning: k.Warning}
}

// architecture describes a model of c for the page.
func architecture(c model.Config) protocol.Architecture {
	return protocol.Architecture{Family: c.ModelType, Layers: c.NLayer, Heads: c.NHead, KVHeads: c.KVHeads(), Embd: c.NEmbd,
		Positions: c.NPositions, Vocab: c.VocabSize, Params: model.NumParams(c), Weights: c.Weights.String(), WeightBytes: model.WeightBytes(c)}
}

// progressEvery is the least time between two Progress events.
const progressEvery = 250 * time.Millisecond

// postedFiles picks a model's files out of the posted ones by name.
func postedFiles(j *job, idx []int) (modelFiles, error) {
	byName := map[string]js.Value{}
	for _, i := range idx {
		f, err := j.file(i)
		if err != nil {
			return modelFiles{}, err
		}
		byName[f.Get("name").String()] = f
	}
	get := func(name string) js.Value {
		if f, ok := byName[name]; ok {
			return f
		}
		return js.Undefined()
	}
	mf := modelFiles{config: get("config.json"), weights: get("model.safetensors"), tokenizer: get("tokenizer.json"),
		vocab: get("vocab.json"), merges: get("merges.txt"), weightsName: "model.safetensors", name: "model.safetensors"}
	var missing []string
	if mf.config.IsUndefined() {
		missing = append(missing, "config.json")
	}
	if mf.weights.IsUndefined() {
		missing = append(missing, "model.safetensors")
	}
	if mf.tokenizer.IsUndefined() && (mf.vocab.IsUndefined() || mf.merges.IsUndefined()) {
		missing = append(missing, "tokenizer.json")
	}
	if len(missing) > 0 {
		return modelFiles{}, protocol.Errorf(protocol.CodeBadModel,
			"the chosen files lack %q: choose the model's config.json, model.safetensors and tokenizer.json together", missing)
	}
	return mf, nil
}

// readTokenizer reads tokenizer.json, or vocab.json and merges.txt, and
// returns the bytes that identify it.
func readTokenizer(f modelFiles) (*tokenizer.Tokenizer, []byte, error) {
	if !f.tokenizer.IsUndefined() {
		b, err := blobBytes(f.tokenizer)
		if err != nil {
			return nil, nil, fail(protocol.CodeBadModel, err, "reading tokenizer.json")
		}
		tok, err := tokenizer.FromJSON(b)
		if err != nil {
			return nil, nil, fail(protocol.CodeBadModel, err, "")
		}
		return tok, b, nil
	}
	vocab, err := blobBytes(f.vocab)
	if err != nil {
		return nil, nil, fail(protocol.CodeBadModel, err, "reading vocab.json")
	}
	merges, err := blobBytes(f.merges)
	if err != nil {
		return nil, nil, fail(protocol.CodeBadModel, err, "reading merges.txt")
	}
	tok, err := tokenizer.FromVocabMerges(vocab, merges)
	if err != nil {
		return nil, nil, fail(protocol.CodeBadModel, err, "")
	}
	return tok, append(vocab, merges...), nil
}

// fingerprint identifies a model by its config, tokenizer and weights
// header (names, shapes, offsets) and size, without hashing the weights.
func fingerprint(config, tok []byte, weights *blobReader) (string, error) {
	var n [8]byte
	if _, err := weights.ReadAt(n[:], 0); err != nil {
		return "", err
	}
	header := make([]byte, binary.LittleEndian.Uint64(n[:]))
	if _, err := weights.ReadAt(header, 8); err != nil {
		return "", err
	}
	h := sha256.New()
	for _, part := range [][]byte{config, tok, header, fmt.Appendf(nil, "%d", weights.size)} {
		binary.Write(h, binary.LittleEndian, uint64(len(part)))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}
