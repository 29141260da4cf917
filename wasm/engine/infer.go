//go:build js && wasm

package main

import (
	"fmt"
	"time"
	"unicode/utf8"

	"prefixtune/core/adapter"
	"prefixtune/core/data"
	"prefixtune/core/evaluate"
	"prefixtune/core/metrics"
	"prefixtune/core/model"
	"prefixtune/core/prefix"
	"prefixtune/core/protocol"
	"prefixtune/core/tune"
)

// needPrefix returns the current prefix, or an error saying how to get one.
func (e *engine) needPrefix() (*prefix.Prefix, error) {
	if e.prefix == nil {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no prefix yet: train one or import an adapter")
	}
	return e.prefix, nil
}

// Defaults of Evaluate, as `prefixtune eval`'s.
const (
	evalMaxNew    = 64
	evalSamples   = 5
	evalResamples = 1000
	evalSeed      = 1
)

// evalData returns the examples Evaluate scores: the training file, or
// the validation or test file, or the share of the training file the run
// held out as such.
func (e *engine) evalData(which string) ([]data.Example, error) {
	var held func(val, test []data.Example) []data.Example
	var file *dataSet
	what := ""
	switch which {
	case "", protocol.TrainData:
		ds, err := e.dataFor(false)
		if err != nil {
			return nil, err
		}
		return ds.exs, nil
	case protocol.ValidationData:
		file, what = e.val, "validation"
		held = func(val, _ []data.Example) []data.Example { return val }
	case protocol.TestData:
		file, what = e.test, "test"
		held = func(_, test []data.Example) []data.Example { return test }
	default:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "unknown data %q to evaluate: use train, validation or test", which)
	}
	if file != nil {
		return file.exs, nil
	}
	if e.run != nil {
		_, val, test, err := heldOut(e.run.train.exs, e.run.opts)
		if err != nil {
			return nil, err
		}
		if exs := held(val, test); len(exs) > 0 {
			return exs, nil
		}
	}
	return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no %s data: load a %s file, or train with a %s share held out", what, what, what)
}

// trainingSplit is what the current run trains on (the whole training
// file when there is no run): the few-shot examples come from it.
func (e *engine) trainingSplit() ([]data.Example, error) {
	if e.run != nil {
		train, _, _, err := heldOut(e.run.train.exs, e.run.opts)
		return train, err
	}
	ds, err := e.dataFor(false)
	if err != nil {
		return nil, err
	}
	return ds.exs, nil
}

func (e *engine) evaluate(j *job, r protocol.Evaluate) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	exs, err := e.evalData(r.Data)
	if err != nil {
		return nil, err
	}
	if r.BatchSize < 0 || r.Shots < 0 || r.MaxNew < 0 || r.Samples < 0 || r.Bootstrap < 0 || r.Bootstrap == 1 {
		return nil, protocol.Errorf(protocol.CodeBadRequest, "the batch size (%d), shots (%d), new tokens (%d) and samples (%d) must not be negative, and the bootstrap (%d) needs at least 2 resamples",
			r.BatchSize, r.Shots, r.MaxNew, r.Samples, r.Bootstrap)
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
	m, tok := e.model.m, e.model.tok
	seed := r.Seed
	if seed == 0 {
		seed = evalSeed
	}
	type run struct {
		name, kind string
		pre        model.Prefix
		shots      []data.Example
	}
	var runs []run
	out := protocol.Evaluated{ModelParams: e.model.info.Params}
	if base {
		runs = append(runs, run{name: "base, zero-shot", kind: protocol.ReportZeroShot})
		if r.Shots > 0 {
			train, err := e.trainingSplit()
			if err != nil {
				return nil, err
			}
			shots, err := evaluate.FewShot(train, r.Shots, seed)
			if err != nil {
				return nil, protocol.Errorf(protocol.CodeBadRequest, "the few-shot baseline: %v", err)
			}
			runs = append(runs, run{name: fmt.Sprintf("base, %d-shot", r.Shots), kind: protocol.ReportFewShot, shots: shots})
		}
	}
	P := 0
	if prefixed {
		p, err := e.needPrefix()
		if err != nil {
			return nil, err
		}
		p.Forward(m.Dev) // an MLP prefix's rows follow its latest parameters
		P = p.P
		runs = append(runs, run{name: "prefix", kind: protocol.ReportPrefix, pre: p.Out})
		out.PrefixParams, out.TrainedParams = p.P*p.Width, p.Params.Len
	}
	T, err := tune.SeqLen(m.Config, r.SeqLen, P)
	if err != nil {
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	o := evaluate.Options{BatchSize: r.BatchSize, SeqLen: T, Generate: r.Generate, MaxNew: r.MaxNew, Numeric: r.Numeric,
		Samples: r.Samples, Bootstrap: metrics.BootstrapConfig{Resamples: r.Bootstrap, Level: 0.95, Seed: seed}}
	if o.MaxNew == 0 {
		o.MaxNew = evalMaxNew
	}
	if o.Samples == 0 {
		o.Samples = evalSamples
	}
	if o.Bootstrap.Resamples == 0 {
		o.Bootstrap.Resamples = evalResamples
	}
	if r.Classify {
		o.Labels = evaluate.Labels(exs)
		out.Labels = o.Labels
	}
	prompts := map[string]bool{}
	for _, ex := range exs {
		prompts[ex.Prompt] = true
	}
	per := evaluate.Work(len(exs), len(prompts), o)
	last := time.Time{}
	for i, rn := range runs {
		o.Shots = rn.shots
		o.Progress = func(done, _ int) error {
			if time.Since(last) >= progressEvery {
				last = time.Now()
				post(j.id, protocol.Progress{Phase: protocol.PhaseEvaluate, Task: rn.name, Step: i*per + done, Steps: len(runs) * per})
				yield()
			}
			if j.isCancelled() {
				return errCancelled
			}
			return nil
		}
		rep, err := evaluate.Run(rn.name, m, rn.pre, tok, exs, o)
		if err != nil {
			return nil, fail(protocol.CodeBadData, err, rn.name)
		}
		pr := report(rep, rn.kind)
		out.Reports = append(out.Reports, pr)
		score := &protocol.Score{Loss: pr.Loss.Point, Perplexity: pr.Perplexity, Examples: pr.Examples, Tokens: pr.Tokens}
		switch rn.kind {
		case protocol.ReportZeroShot:
			out.Base = score
		case protocol.ReportPrefix:
			out.Prefixed = score
		}
	}
	return out, nil
}

// report is an evaluation report for the page.
func report(r evaluate.Report, kind string) protocol.Report {
	iv := func(i *metrics.Interval) *protocol.Interval {
		if i == nil {
			return nil
		}
		return &protocol.Interval{Point: i.Point, Lo: i.Lo, Hi: i.Hi, Level: i.Level, Resamples: i.Resamples}
	}
	out := protocol.Report{Name: r.Name, Kind: kind, Examples: r.Examples, Prompts: r.Prompts, Tokens: r.Tokens, Loss: *iv(&r.Loss),
		Perplexity: r.Perplexity, BLEU: iv(r.BLEU), RougeL: iv(r.RougeL), ExactMatch: iv(r.ExactMatch), Accuracy: iv(r.Accuracy), MacroF1: iv(r.MacroF1)}
	if g := r.Regression; g != nil {
		out.Regression = &protocol.Regression{RMSE: g.RMSE, MAE: g.MAE, Parsed: g.N, Unparsed: g.Unparsed}
	}
	for _, s := range r.Samples {
		out.Samples = append(out.Samples, protocol.Sample{Prompt: s.Prompt, References: s.References, Output: s.Output})
	}
	return out
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
	prompt := data.Encode(tok, r.Prompt) // BOS first when the tokenizer has one
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
			// generated ids continue the prompt: no start-of-text rule (Llama-2's dropped space)
			text = append(text, tok.DecodeContinuation([]int{int(id)})...)
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
		e.adapter = nil
	}
	// Unless the import succeeds, its scope is released (as in newSession).
	scope := e.dev.Begin()
	defer scope.Finish()
	p := prefix.New(m, cfg.NumVirtualTokens, 0)
	if err := p.InitRows(m, rows); err != nil {
		return nil, fail(protocol.CodeBadModel, err, "")
	}
	scope.Keep()
	e.adapter = &importedAdapter{cfg: cfg, rows: rows, p: p, scope: scope}
	e.prefix = p
	return protocol.AdapterImported{VirtualTokens: cfg.NumVirtualTokens, BaseModel: cfg.BaseModelNameOrPath}, nil
}
