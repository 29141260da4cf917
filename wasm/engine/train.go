//go:build js && wasm

package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"prefixtune/core/data"
	"prefixtune/core/protocol"
	"prefixtune/core/train"
	"prefixtune/core/tune"
	"prefixtune/wasm/engine/arena"
)

// session is the current run: paused, running or finished.
type session struct {
	id      string
	opts    protocol.TrainOptions
	run     *tune.Run
	scope   *arena.Scope // the run's prefix, optimiser and activations
	train   *dataSet
	val     *dataSet // the validation file, when the run uses one
	history []protocol.StepLog
	slot    int // the checkpoint slot the next save writes (store.go)
}

// tuneOptions converts and checks the options of a request.
func tuneOptions(o protocol.TrainOptions) (tune.Options, error) {
	sched, err := train.ParseSchedule(o.Schedule)
	if err != nil {
		return tune.Options{}, fail(protocol.CodeBadRequest, err, "")
	}
	to := tune.Options{PrefixLen: o.PrefixLen, Projection: o.Projection, LR: o.LR, Schedule: sched, Warmup: o.Warmup,
		Steps: o.Steps, Epochs: o.Epochs, BatchSize: o.BatchSize, WeightDecay: o.WeightDecay, Clip: o.Clip, Seed: o.Seed,
		Shuffle: o.Shuffle}
	if err := to.Validate(); err != nil {
		return tune.Options{}, fail(protocol.CodeBadRequest, err, "")
	}
	if !(o.ValFraction >= 0 && o.ValFraction < 1) || !(o.TestFraction >= 0 && o.TestFraction < 1) || o.SaveEvery < 0 || o.Threads < 0 {
		return tune.Options{}, protocol.Errorf(protocol.CodeBadRequest, "the validation share (%g) and the test share (%g) must be in [0, 1), the save interval (%d) and the threads (%d) not negative",
			o.ValFraction, o.TestFraction, o.SaveEvery, o.Threads)
	}
	return to, nil
}

// heldOut splits the examples of the training file as a run with options
// o does: the test share first, then the validation share of the rest,
// both drawn by the seed.
func heldOut(exs []data.Example, o protocol.TrainOptions) (train, val, test []data.Example, err error) {
	train = exs
	if o.TestFraction > 0 {
		if train, test, err = data.Split(train, o.TestFraction, o.Seed); err != nil {
			return nil, nil, nil, fail(protocol.CodeBadData, err, "holding out the test share")
		}
	}
	if o.ValFraction > 0 {
		if train, val, err = data.Split(train, o.ValFraction, o.Seed); err != nil {
			return nil, nil, nil, fail(protocol.CodeBadData, err, "holding out the validation share")
		}
	}
	return train, val, test, nil
}

// sequences checks options o against the model and tokenises a run's
// training and validation sets as `prefixtune train` does: the validation
// file (val), or a share of the training file held out by the seed.
func (e *engine) sequences(o protocol.TrainOptions, trainSet, val *dataSet) (to tune.Options, seqs, valSeqs []data.Sequence, err error) {
	if to, err = tuneOptions(o); err != nil {
		return
	}
	c, tok := e.model.m.Config, e.model.tok
	T, err := tune.SeqLen(c, o.SeqLen, o.PrefixLen)
	if err != nil {
		return to, nil, nil, fail(protocol.CodeBadRequest, err, "")
	}
	switch {
	case o.ValFraction > 0 && val != nil:
		return to, nil, nil, protocol.Errorf(protocol.CodeBadRequest, "a validation file is loaded and a validation share is set: use one of them")
	case o.TestFraction > 0 && e.test != nil:
		return to, nil, nil, protocol.Errorf(protocol.CodeBadRequest, "a test file is loaded and a test share is set: use one of them")
	}
	exs, valExs, _, err := heldOut(trainSet.exs, o)
	if err != nil {
		return to, nil, nil, err
	}
	if val != nil {
		valExs = val.exs
	}
	return to, tune.Sequences(exs, tok, T), tune.Sequences(valExs, tok, T), nil
}

// initFor returns how a new run's prefix starts.
func (e *engine) initFor(o protocol.TrainOptions) (tune.Init, error) {
	switch o.Init {
	case protocol.InitRandom:
		return tune.Init{}, nil
	case protocol.InitText:
		if len(e.model.tok.Encode(o.InitText)) == 0 {
			return tune.Init{}, protocol.Errorf(protocol.CodeBadRequest, "the initialisation text is empty: give a text of at least a few words")
		}
		// as prefixtune train --init text: the text as the model reads it (BOS first when the tokenizer has one)
		return tune.Init{Text: data.Encode(e.model.tok, o.InitText)}, nil
	case protocol.InitAdapter:
		a := e.adapter
		if a == nil {
			return tune.Init{}, protocol.Errorf(protocol.CodeBadRequest, "no adapter is imported to start from: import one first")
		}
		if a.cfg.NumVirtualTokens != o.PrefixLen {
			return tune.Init{}, protocol.Errorf(protocol.CodeBadRequest, "the imported adapter has %d virtual tokens but the prefix length is %d", a.cfg.NumVirtualTokens, o.PrefixLen)
		}
		if o.Projection > 0 {
			return tune.Init{}, protocol.Errorf(protocol.CodeBadRequest, "a prefix with a projection cannot start from an adapter, which holds only the projection's output: set the projection to 0")
		}
		return tune.Init{Adapter: &a.cfg, Rows: a.rows}, nil
	}
	return tune.Init{}, protocol.Errorf(protocol.CodeBadRequest, "unknown initialisation %q: use random, text or adapter", o.Init)
}

// newSession replaces the current run by a new one on the loaded model.
func (e *engine) newSession(id string, o protocol.TrainOptions, init tune.Init, trainSet, val *dataSet) (*session, error) {
	to, seqs, valSeqs, err := e.sequences(o, trainSet, val)
	if err != nil {
		return nil, err
	}
	m := e.model.m
	mem := tune.EstimateMemory(m.Config, to.Projection, to.Shape(seqs, valSeqs))
	if budget := arenaBudget(e.caps); mem.Total() > budget {
		return nil, protocol.Errorf(protocol.CodeOutOfMemory, "the run needs about %.1f GB but the browser gives the engine %.1f GB: use a shorter sequence length or batch, or a smaller model",
			float64(mem.Total())/1e9, float64(budget)/1e9)
	}
	e.dropRun()
	// Unless the run is made, its scope is released: also when an
	// allocation panics part-way (the arena cannot grow, see runJob), so
	// that what was allocated before is not lost to later runs.
	scope := e.dev.Begin()
	defer scope.Finish()
	p, err := tune.NewPrefix(m, to, init, to.Seed)
	if err != nil {
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	run, err := tune.New(m, p, seqs, valSeqs, int32(e.model.tok.EOS()), to)
	if err != nil {
		return nil, fail(protocol.CodeBadRequest, err, "")
	}
	scope.Keep()
	return &session{id: id, opts: o, run: run, scope: scope, train: trainSet, val: val}, nil
}

// dropRun releases the current run.
func (e *engine) dropRun() {
	if e.run == nil {
		return
	}
	if e.prefix == e.run.run.Trainer.Prefix {
		e.prefix = nil
	}
	e.run.scope.Release()
	e.run = nil
}

func newRunID() string {
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%s", time.Now().UTC().Format("20060102-150405"), hex.EncodeToString(b[:]))
}

func (e *engine) startRun(j *job, r protocol.Train) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	trainSet, err := e.dataFor(false)
	if err != nil {
		return nil, err
	}
	post(j.id, protocol.Progress{Phase: protocol.PhaseInit})
	init, err := e.initFor(r.Options)
	if err != nil {
		return nil, err
	}
	s, err := e.newSession(newRunID(), r.Options, init, trainSet, e.val)
	if err != nil {
		return nil, err
	}
	e.run = s
	return e.trainLoop(j)
}

func (e *engine) resume(j *job) (protocol.Event, error) {
	switch {
	case e.run == nil:
		return nil, protocol.Errorf(protocol.CodeBadRequest, "there is no run to resume: start one, or load a checkpoint")
	case e.run.run.Done():
		return nil, protocol.Errorf(protocol.CodeBadRequest, "the run has finished all of its %d steps", e.run.run.Steps)
	}
	return e.trainLoop(j)
}

// trainLoop takes the current run's steps until it ends, is paused or is
// cancelled, yielding to the event loop after every step. Progress goes
// out after the first step, after any step when progressEveryTrain has
// passed, and from inside a step (between its matrix products) when a
// step takes longer.
func (e *engine) trainLoop(j *job) (protocol.Event, error) {
	s := e.run
	e.prefix = s.run.Trainer.Prefix
	threads := e.threads(s.opts.Threads)
	start, first := time.Now(), s.run.Trainer.Step()
	var pending []protocol.StepLog
	var latest protocol.StepLog
	var valLoss *float64
	seen, last, perStep := 0, time.Time{}, 0
	report := func(within float64) {
		p := protocol.Progress{Phase: protocol.PhaseTrain, Step: s.run.Trainer.Step(), Steps: s.run.Steps, Within: within, Threads: threads,
			Loss: latest.Loss, ValLoss: valLoss, LR: latest.LR, Log: pending}
		if secs := time.Since(start).Seconds(); secs > 0 && p.Step > first {
			done := float64(p.Step-first) + within
			p.TokensPerSecond = float64(seen) / secs
			p.ETASeconds = secs / done * (float64(s.run.Steps-p.Step) - within)
		}
		post(j.id, p)
		pending, last = nil, time.Now()
	}
	flush := func() {
		if len(pending) > 0 {
			report(0)
		}
	}
	e.ticker.calls = 0
	e.ticker.on = func() {
		if time.Since(last) < progressEveryTrain {
			return
		}
		within := 0.0
		if perStep > 0 {
			within = min(0.99, float64(e.ticker.calls)/float64(perStep))
		}
		report(within)
	}
	defer func() { e.ticker.on = nil }()
	for !s.run.Done() {
		if j.isCancelled() {
			flush()
			return nil, errCancelled
		}
		if id := j.takePause(); id != 0 {
			flush()
			if err := e.save(j, s); err != nil {
				post(id, asError(err))
				return nil, err
			}
			post(id, protocol.Paused{RunID: s.id, Step: s.run.Trainer.Step()})
			return s.result(protocol.StatusPaused), nil
		}
		if e.plantNaN > 0 && s.run.Trainer.Step()+1 == e.plantNaN {
			e.plantNaN = 0
			plantNaN(s.run)
		}
		st, err := s.run.Step()
		if err != nil {
			flush()
			if errors.Is(err, tune.ErrDiverged) {
				return nil, protocol.Errorf(protocol.CodeNaNLoss, "%v", err)
			}
			return nil, fail(protocol.CodeBadData, err, "")
		}
		perStep, e.ticker.calls = e.ticker.calls, 0
		l := stepLog(st)
		s.history = append(s.history, l)
		pending, latest = append(pending, l), l
		seen += st.Real
		if st.ValLoss != nil {
			valLoss = st.ValLoss
		}
		if st.Step == first+1 || time.Since(last) >= progressEveryTrain {
			flush()
		}
		if every := s.opts.SaveEvery; every > 0 && st.Step%every == 0 && !s.run.Done() {
			flush()
			if err := e.save(j, s); err != nil {
				return nil, err
			}
		}
		yield()
	}
	flush()
	if err := e.save(j, s); err != nil {
		return nil, err
	}
	return s.result(protocol.StatusDone), nil
}

// stepLog is step st for the page: a loss or gradient norm that is not
// finite (a recovered step's) is 0, since JSON has no NaN.
func stepLog(st tune.Step) protocol.StepLog {
	l := protocol.StepLog{Step: st.Step, Loss: st.Loss, LR: st.LR, Tokens: st.Tokens, GradNorm: st.GradNorm, ValLoss: st.ValLoss,
		Recovered: st.Recovered}
	if math.IsNaN(l.Loss) || math.IsInf(l.Loss, 0) {
		l.Loss = 0
	}
	if math.IsNaN(l.GradNorm) || math.IsInf(l.GradNorm, 0) {
		l.GradNorm = 0
	}
	return l
}

// plantNaN makes the first parameter of run r's prefix NaN, so that its
// next step is not finite and is undone (the engine's test hook, see
// main.go).
func plantNaN(r *tune.Run) {
	p := r.Trainer.Prefix.Params
	r.Trainer.Model.Dev.Upload(p.Slice(0, 1), []float32{float32(math.NaN())})
}

// lastLoss is the loss of the latest step of history that was not undone.
func lastLoss(history []protocol.StepLog) float64 {
	for i := len(history) - 1; i >= 0; i-- {
		if !history[i].Recovered {
			return history[i].Loss
		}
	}
	return 0
}

// result is the Trained event of s.
func (s *session) result(status string) protocol.Trained {
	t := protocol.Trained{RunID: s.id, Status: status, Step: s.run.Trainer.Step(), Steps: s.run.Steps, Loss: lastLoss(s.history)}
	for _, l := range s.history {
		if l.ValLoss != nil {
			t.ValLoss = l.ValLoss
		}
	}
	return t
}

func (e *engine) estimate(r protocol.Estimate) (protocol.Event, error) {
	if err := e.needModel(); err != nil {
		return nil, err
	}
	trainSet, err := e.dataFor(false)
	if err != nil {
		return nil, err
	}
	to, seqs, valSeqs, err := e.sequences(r.Options, trainSet, e.val)
	if err != nil {
		return nil, err
	}
	c := e.model.m.Config
	mem := tune.EstimateMemory(c, to.Projection, to.Shape(seqs, valSeqs))
	flops := tune.MeanStepFLOPs(c, to, seqs)
	steps := to.TotalSteps(len(seqs))
	est := protocol.Estimated{WeightBytes: mem.Weights, ActivationBytes: mem.Activations, PrefixBytes: mem.Prefix,
		TotalBytes: mem.Total(), BudgetBytes: arenaBudget(e.caps), Steps: steps}
	switch {
	case est.TotalBytes > est.BudgetBytes:
		est.NotTimed = "the run does not fit in memory"
		return est, nil
	case int64(e.dev.Mark())+est.TotalBytes-est.WeightBytes > est.BudgetBytes:
		est.NotTimed = "the last run holds the memory a step needs; starting this one frees it"
		return est, nil
	}
	// A step's time depends on the model, the batches, the prefix and the
	// threads, not on the learning rate and the like: it is timed once.
	key := fmt.Sprint(to.BatchSize, to.PrefixLen, to.Projection, r.Options.Threads, flops, len(seqs), to.Shuffle, to.Seed)
	sec, ok := e.model.stepSeconds[key]
	if !ok {
		scope := e.dev.Begin()
		defer scope.Release()         // also when the scratch cannot be allocated
		defer e.threads(e.nthreads()) // timed on the run's threads, then as before
		e.threads(r.Options.Threads)
		if sec, err = tune.MeasureStep(e.model.m, to, seqs, int32(e.model.tok.EOS())); err != nil {
			return nil, err
		}
		e.model.stepSeconds[key] = sec
	}
	est.StepSeconds, est.TotalSeconds = sec, sec*float64(steps)
	return est, nil
}
