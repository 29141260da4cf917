//go:build js && wasm

package main

import (
	"sync"
	"syscall/js"
	"time"

	"prefixtune/core/protocol"
)

func main() {
	caps := protocol.Caps{Threads: 1}
	if c := global.Get("prefixtuneCaps"); c.Type() == js.TypeObject {
		caps = protocol.Caps{SIMD: c.Get("simd").Truthy(), Relaxed: c.Get("relaxed").Truthy(),
			Isolated: c.Get("isolated").Truthy(), Threads: max(1, c.Get("threads").Int())}
	}
	e, err := newEngine(caps)
	if err != nil {
		post(0, protocol.Errorf(protocol.CodeUnsupported, "the engine found no compute device (%v): serve pool.js and kernels.wasm beside the engine", err))
		return
	}
	// Test hooks, from engine.js's start options (engine-worker.js sets
	// them): plantNaN, the step before which a NaN goes into the prefix;
	// progressMs, the least time between two Progress events of a run.
	if t := global.Get("prefixtuneTest"); t.Type() == js.TypeObject {
		if n := t.Get("plantNaN"); n.Type() == js.TypeNumber {
			e.plantNaN = n.Int()
		}
		if n := t.Get("progressMs"); n.Type() == js.TypeNumber {
			progressEveryTrain = time.Duration(n.Float() * float64(time.Millisecond))
		}
	}
	in := newQueue[message]()
	// The handler only queues: it must return without blocking.
	global.Set("onmessage", js.FuncOf(func(_ js.Value, args []js.Value) any {
		d := args[0].Get("data")
		in.put(message{text: d.Get("text").String(), files: d.Get("files")})
		return nil
	}))
	go e.work()
	post(0, protocol.Ready{Caps: caps, Device: e.deviceName, PoolThreads: poolThreads()})
	for {
		e.dispatch(in.get())
	}
}

// message is one postMessage from the page: an envelope and the Files and
// Blobs posted beside it.
type message struct {
	text  string
	files js.Value
}

// queue is an unbounded FIFO whose put never blocks (JavaScript callbacks
// must not block).
type queue[T any] struct {
	mu    sync.Mutex
	items []T
	ready chan struct{} // holds a token while items may be waiting
}

func newQueue[T any]() *queue[T] { return &queue[T]{ready: make(chan struct{}, 1)} }

func (q *queue[T]) put(x T) {
	q.mu.Lock()
	q.items = append(q.items, x)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// get blocks until an item is queued and returns the oldest.
func (q *queue[T]) get() T {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			x := q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return x
		}
		q.mu.Unlock()
		<-q.ready
	}
}
