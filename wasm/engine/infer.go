//go:build js && wasm

package main

import (
	"math"
	"time"
	"unicode/utf8"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/protocol"
	"prefixtune/core/train"
	"prefixtune/core/tune"
)

// needPrefix returns the current prefix, or an error saying how to get one.
func (e *engine) needPrefix() (*prefix.Prefix, error) {
	if e.prefix == nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no prefix yet: train one or import an adapter")
	}
	return e.prefix, nil
}

// evalBatch is the default batch size of Evaluate, as `prefixtune eval`.
const evalBatch = 8

func (e *engine) evaluate(j *job, r protocol.Evaluate) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	var exs []data.Example
	switch r.Data {
	case "", protocol.TrainData:
		ds, err := e.dataFor(false)
		if err != nil {
			return nil, err
		}
		exs = ds.exs
	case protocol.ValidationData:
		switch {
		case e.val != nil:
			exs = e.val.exs
		case e.run != nil && e.run.opts.ValFraction > 0:
			_, held, err := data.Split(e.run.train.exs, e.run.opts.ValFraction, e.run.opts.Seed)
			if err != nil {
				return nil, fail(protocol.CodeBadData, err, "")
			}
			exs = held
		default:
			return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no validation data: load a validation file, or train with a validation share")
		}
	default:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "unknown data %q to evaluate: use train or validation", r.Data)
	}
	B := r.BatchSize
	if B == 0 {
		B = evalBatch
	}
	if B < 1 {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "the batch size is %d; it must be at least 1", B)
	}
	var base, prefixed bool
	switch r.Which {
	case "", protocol.Both:
		base, prefixed = true, true
	case protocol.Base:
		base = true
	case protocol.Prefixed:
		prefixed = true
	default:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "unknown model %q to evaluate: use both, base or prefixed", r.Which)
	}
	var out protocol.Evaluated
	var err error
	if prefixed {
		p, err := e.needPrefix()
		if err != nil {
			return nil, err
		}
		if out.Prefixed, err = e.score(j, p, exs, B, r.SeqLen); err != nil {
			return nil, err
		}
	}
	if base {
		if out.Base, err = e.score(j, nil, exs, B, r.SeqLen); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// score is `prefixtune eval` of exs with prefix p (nil: the base model).
func (e *engine) score(j *job, p *prefix.Prefix, exs []data.Example, B, seqLen int) (*protocol.Score, error) {
	m, tok := e.model.m, e.model.tok
	scope := e.dev.Begin()
	defer scope.Release()
	if p == nil {
		p = prefix.New(m, 0, 0)
	}
	T, err := tune.SeqLen(m.Config, seqLen, p.P)
	if err != nil {
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	seqs := tune.Sequences(exs, tok, T)
	tr := train.New(m, p, train.Options{}, model.Shape{B: B, T: tune.Longest(seqs)})
	batches, done, last := (len(seqs)+B-1)/B, 0, time.Time{}
	loss := func(b model.Batch) (float64, int, error) {
		if j.isCancelled() {
			return 0, 0, errCancelled
		}
		sum, n, err := tr.Loss(b)
		if done++; time.Since(last) >= progressEvery {
			last = time.Now()
			post(j.id, protocol.Progress{Phase: protocol.PhaseEvaluate, Step: done, Steps: batches})
			yield()
		}
		return sum, n, err
	}
	mean, n, err := tune.MeanLoss(loss, seqs, B, int32(tok.EOS()))
	if err != nil {
		return nil, fail(protocol.CodeBadData, err, "")
	}
	return &protocol.Score{Loss: mean, Perplexity: math.Exp(mean), Examples: len(seqs), Tokens: n}, nil
}

// defaultMaxTokens is Generate's default, as `prefixtune generate`.
const defaultMaxTokens = 50

func (e *engine) generate(j *job, r protocol.Generate) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	m, tok := e.model.m, e.model.tok
	pre := model.Prefix{}
	if r.Prefixed {
		p, err := e.needPrefix()
		if err != nil {
			return nil, err
		}
		p.Forward(m.Dev) // an MLP prefix's rows follow its latest parameters
		pre = p.Out
	}
	ids := tok.Encode(r.Prompt)
	prompt := make([]int32, len(ids))
	for i, id := range ids {
		prompt[i] = int32(id)
	}
	maxNew := r.MaxTokens
	if maxNew == 0 {
		maxNew = defaultMaxTokens
	}
	if maxNew < 1 || r.Temperature < 0 || r.TopK < 0 {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "max tokens (%d) must be positive, temperature (%g) and top-k (%d) not negative", maxNew, r.Temperature, r.TopK)
	}
	eos := int32(tok.EOS())
	var out []int
	var text []byte // decoded so far, without the end-of-text token
	sent := 0
	// emit cannot return an error, so Cancel unwinds Generate with a panic
	// of errCancelled, which runJob turns into the cancelled error.
	emit := func(id int32) {
		out = append(out, int(id))
		if id != eos {
			text = append(text, tok.Decode([]int{int(id)})...)
		}
		end := len(text)
		if id != eos && len(out) < maxNew {
			end = complete(text) // the last token flushes what is held back
		}
		post(j.id, protocol.Token{ID: int(id), Text: string(text[sent:end])})
		sent = end
		yield()
		if j.isCancelled() {
			panic(errCancelled)
		}
	}
	scope := e.dev.Begin()
	defer scope.Release()
	s := model.Sampling{Temperature: r.Temperature, TopK: r.TopK, Seed: r.Seed}
	if _, err := m.Generate(pre, prompt, maxNew, eos, s, emit); err != nil {
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	return protocol.Generated{Text: string(text), Tokens: out, Stopped: len(out) > 0 && int32(out[len(out)-1]) == eos}, nil
}

// complete returns the length of b without a UTF-8 character cut off at
// its end (its remaining bytes come with the next tokens).
func complete(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

func (e *engine) exportAdapter(r protocol.ExportAdapter) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	p, err := e.needPrefix()
	if err != nil {
		return nil, err
	}
	base := r.BaseModel
	if base == "" {
		base = e.model.info.Name
	}
	m := e.model.m
	cfg, weights, err := adapter.Encode(tune.AdapterConfig(m.Config, p.P, base), p.Rows(m.Dev))
	if err != nil {
		return nil, fail(protocol.CodeInternal, err, "")
	}
	return protocol.AdapterFiles{Config: cfg, Weights: weights}, nil
}

func (e *engine) importAdapter(j *job, r protocol.ImportAdapter) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	var parts [2][]byte
	for i, idx := range []int{r.Config, r.Weights} {
		f, err := j.file(idx)
		if err != nil {
			return nil, err
		}
		if parts[i], err = blobBytes(f); err != nil {
			return nil, fail(protocol.CodeBadModel, err, "reading the adapter")
		}
	}
	cfg, rows, err := adapter.Decode(parts[0], parts[1])
	if err != nil {
		return nil, fail(protocol.CodeBadModel, err, "")
	}
	m := e.model.m
	if err := tune.CheckAdapter(m.Config, cfg); err != nil {
		return nil, fail(protocol.CodeBadModel, err, "")
	}
	if e.adapter != nil {
		if e.prefix == e.adapter.p {
			e.prefix = nil
		}
		e.adapter.scope.Release()
	}
	scope := e.dev.Begin()
	defer scope.End()
	p := prefix.New(m, cfg.NumVirtualTokens, 0)
	if err := p.InitRows(m, rows); err != nil {
		scope.Release()
		e.adapter = nil
		return nil, fail(protocol.CodeBadModel, err, "")
	}
	e.adapter = &importedAdapter{cfg: cfg, rows: rows, p: p, scope: scope}
	e.prefix = p
	return protocol.AdapterImported{VirtualTokens: cfg.NumVirtualTokens, BaseModel: cfg.BaseModelNameOrPath}, nil
}
