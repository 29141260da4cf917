//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall/js"

	"prefixtune/core/adapter"
	"prefixtune/core/prefix"
	"prefixtune/core/protocol"
	"prefixtune/wasm/engine/arena"
)

// engine is the state of the worker. mu guards running, which the
// dispatcher reads; the fields after it belong to the job goroutine.
type engine struct {
	caps       protocol.Caps
	deviceName string
	jobs       *queue[*job]
	// plantNaN, when not 0, is the step of this engine's first run before
	// which a NaN is put into the prefix: a test hook for the recovery from
	// non-finite steps, set by the page's start options (main.go).
	plantNaN int

	mu      sync.Mutex
	running *job

	dev      *arena.Pool
	ticker   *ticking // the device under dev, which counts its calls
	closeDev func() error
	threads  func(n int) int // computes on n of the device's threads (0: all) from now on; returns how many
	nthreads func() int      // how many threads the device computes on now
	model    *loadedModel
	train    *dataSet // the loaded training file
	val      *dataSet // the loaded validation file, if any
	test     *dataSet // the loaded test file, if any
	adapter  *importedAdapter
	run      *session       // the current run, paused or finished
	prefix   *prefix.Prefix // the current prefix: the run's or the imported adapter's
}

// importedAdapter is an adapter read by ImportAdapter and its prefix on
// the device.
type importedAdapter struct {
	cfg   adapter.Config
	rows  []float32
	p     *prefix.Prefix
	scope *arena.Scope
}

// newEngine opens the device (so that Ready can name it) and returns the
// engine.
func newEngine(caps protocol.Caps) (*engine, error) {
	e := &engine{caps: caps, jobs: newQueue[*job]()}
	if err := e.reopenDevice(); err != nil {
		return nil, err
	}
	e.deviceName = e.dev.Name()
	return e, nil
}

// reopenDevice drops the model, its run and adapter, and gives the engine
// a fresh device with an empty arena.
func (e *engine) reopenDevice() error {
	e.model, e.run, e.prefix, e.adapter = nil, nil, nil, nil
	if e.closeDev != nil {
		if err := e.closeDev(); err != nil {
			return err
		}
		e.dev, e.closeDev = nil, nil
	}
	d, closeDev, err := openDevice()
	if err != nil {
		return err
	}
	e.threads, e.nthreads = func(int) int { return 1 }, func() int { return 1 }
	if t, ok := d.(interface {
		SetThreads(int) int
		Threads() int
	}); ok {
		e.threads, e.nthreads = t.SetThreads, t.Threads
	}
	e.ticker = &ticking{Device: d}
	e.dev, e.closeDev = arena.New(e.ticker), closeDev
	return nil
}

// job is one request being run or waiting.
type job struct {
	id    uint64
	req   protocol.Request
	files js.Value

	mu        sync.Mutex
	cancelled bool
	pauseID   uint64 // the Pause request to answer, or 0
}

func (j *job) isCancelled() bool { j.mu.Lock(); defer j.mu.Unlock(); return j.cancelled }

// takePause returns the Pause request waiting to be answered, if any, and
// clears it.
func (j *job) takePause() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	id := j.pauseID
	j.pauseID = 0
	return id
}

// errCancelled ends a job stopped by Cancel.
var errCancelled = protocol.Errorf(protocol.CodeCancelled, "stopped as asked")

// post sends event ev about request id to the page.
func post(id uint64, ev protocol.Event) {
	b, err := protocol.EncodeEvent(id, ev)
	if err != nil {
		b, _ = protocol.EncodeEvent(id, protocol.Errorf(protocol.CodeInternal, "encoding the %s event: %v", ev.EventType(), err))
	}
	global.Call("postMessage", string(b))
}

// dispatch handles one message: Pause and Cancel at once, the rest in turn
// on the job goroutine.
func (e *engine) dispatch(m message) {
	id, req, err := protocol.DecodeRequest([]byte(m.text))
	if err != nil {
		post(id, protocol.Errorf(protocol.CodeBadRequest, "%v", err))
		return
	}
	e.mu.Lock()
	j := e.running
	e.mu.Unlock()
	switch r := req.(type) {
	case protocol.CheckModel: // cheap and stateless: answered at once, even during a run
		post(id, checkModel(r))
	case protocol.Pause:
		if j == nil || !training(j.req) {
			post(id, protocol.Errorf(protocol.CodeBadRequest, "nothing is training, so there is nothing to pause"))
			return
		}
		j.mu.Lock()
		j.pauseID = id
		j.mu.Unlock()
	case protocol.Cancel:
		if j != nil {
			j.mu.Lock()
			j.cancelled = true
			j.mu.Unlock()
		}
		post(id, protocol.OK{})
	default:
		e.jobs.put(&job{id: id, req: req, files: m.files})
	}
}

func training(r protocol.Request) bool {
	switch r.(type) {
	case protocol.Train, protocol.Resume:
		return true
	}
	return false
}

// work runs the queued jobs one after another, for ever.
func (e *engine) work() {
	for {
		j := e.jobs.get()
		e.mu.Lock()
		e.running = j
		e.mu.Unlock()
		ev := e.runJob(j)
		e.mu.Lock()
		e.running = nil
		e.mu.Unlock()
		if id := j.takePause(); id != 0 {
			post(id, protocol.Errorf(protocol.CodeBadRequest, "the training ended before it could pause"))
		}
		post(j.id, ev)
	}
}

// runJob runs j and returns its terminal event. A panic becomes an Error:
// errCancelled (thrown where a callback cannot return an error) as
// cancelled, an arena that cannot grow (wasm/kernels' Alloc) as
// out_of_memory, anything else as internal.
func (e *engine) runJob(j *job) (ev protocol.Event) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if err, ok := r.(error); ok && errors.Is(err, errCancelled) {
			ev = errCancelled
			return
		}
		msg := fmt.Sprint(r)
		if strings.Contains(msg, "cannot grow the arena") || strings.Contains(msg, "the arena would need") {
			ev = protocol.Errorf(protocol.CodeOutOfMemory, "Out of memory: the browser would not give the engine more memory for this; use a smaller model, batch or sequence length (%s)", msg)
			return
		}
		ev = protocol.Errorf(protocol.CodeInternal, "the engine failed (%s); reload the page, and please report this", msg)
	}()
	ev, err := e.handle(j)
	if err != nil {
		return asError(err)
	}
	return ev
}

// asError returns err as a protocol Error; errors of no known kind are
// internal.
func asError(err error) protocol.Error {
	var pe protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return protocol.Errorf(protocol.CodeInternal, "%v", err)
}

func (e *engine) handle(j *job) (protocol.Event, error) {
	switch r := j.req.(type) {
	case protocol.LoadModel:
		ev, err := e.loadModel(j, r)
		if info, ok := ev.(protocol.ModelLoaded); ok && err == nil {
			return e.nameModel(j, r, info), nil
		}
		return ev, err
	case protocol.LoadData:
		return e.loadData(j, r)
	case protocol.DescribeData:
		return e.describeData(r)
	case protocol.Estimate:
		return e.estimate(r)
	case protocol.Train:
		return e.startRun(j, r)
	case protocol.Resume:
		return e.resume(j)
	case protocol.Evaluate:
		return e.evaluate(j, r)
	case protocol.Generate:
		return e.generate(j, r)
	case protocol.ExportAdapter:
		return e.exportAdapter(r)
	case protocol.ImportAdapter:
		return e.importAdapter(j, r)
	case protocol.ListCheckpoints:
		return e.listCheckpoints()
	case protocol.LoadCheckpoint:
		return e.loadCheckpoint(j, r)
	case protocol.DeleteCheckpoint:
		return e.deleteCheckpoint(r)
	}
	return nil, protocol.Errorf(protocol.CodeUnsupported, "the engine does not handle %s requests", j.req.RequestType())
}

// fail returns an Error of code whose message is err's, prefixed by what.
func fail(code string, err error, what string) error {
	if errors.Is(err, errCancelled) {
		return errCancelled
	}
	var pe protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	if what != "" {
		return protocol.Errorf(code, "%s: %v", what, err)
	}
	return protocol.Errorf(code, "%v", err)
}

// file returns posted file i of j.
func (j *job) file(i int) (js.Value, error) {
	n := 0
	if j.files.Type() == js.TypeObject {
		n = j.files.Length()
	}
	if i < 0 || i >= n {
		return js.Value{}, protocol.Errorf(protocol.CodeBadRequest, "the request names posted file %d, but %d were posted with it", i, n)
	}
	return j.files.Index(i), nil
}

// needModel reports a request that needs a model before one is loaded.
func (e *engine) needModel() error {
	if e.model == nil {
		return protocol.Errorf(protocol.CodeBadRequest, "no model is loaded: load one first")
	}
	return nil
}
