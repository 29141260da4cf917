//go:build js && wasm

package main

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"syscall/js"
)

var global = js.Global()

// jsError is a rejected promise or a thrown JavaScript exception.
type jsError struct{ Name, Message string }

func (e *jsError) Error() string { return e.Name + ": " + e.Message }

func toError(v js.Value) error {
	if v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString {
		return &jsError{Name: v.Get("name").String(), Message: v.Get("message").String()}
	}
	return &jsError{Name: "Error", Message: v.String()}
}

// await blocks the calling goroutine until promise p settles. It must not
// be called inside a JavaScript callback.
func await(p js.Value) (js.Value, error) {
	type settled struct {
		v   js.Value
		err error
	}
	ch := make(chan settled, 1)
	arg := func(args []js.Value) js.Value {
		if len(args) == 0 {
			return js.Undefined()
		}
		return args[0]
	}
	then := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- settled{v: arg(args)}; return nil })
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- settled{err: toError(arg(args))}; return nil })
	defer then.Release()
	defer catch.Release()
	p.Call("then", then, catch)
	s := <-ch
	return s.v, s.err
}

// call calls v.method(args...), which returns a promise, and awaits it. A
// synchronous throw is returned as an error too.
func call(v js.Value, method string, args ...any) (res js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			je, ok := r.(js.Error)
			if !ok {
				panic(r)
			}
			err = toError(je.Value)
		}
	}()
	return await(v.Call(method, args...))
}

// yield lets the event loop run (and with it the message handler) and then
// any goroutine it woke, before the caller continues. It waits for a
// message on a MessageChannel, a task that browsers do not delay as they
// delay nested timers.
func yield() {
	yieldOnce.Do(func() {
		yielded = make(chan struct{}, 1)
		ch := global.Get("MessageChannel").New()
		ch.Get("port1").Set("onmessage", js.FuncOf(func(js.Value, []js.Value) any {
			select {
			case yielded <- struct{}{}:
			default:
			}
			return nil
		}))
		yieldPort = ch.Get("port2")
	})
	yieldPort.Call("postMessage", nil)
	<-yielded
	runtime.Gosched()
}

var (
	yieldOnce sync.Once
	yieldPort js.Value
	yielded   chan struct{}
)

// jsBytes copies b into a new Uint8Array.
func jsBytes(b []byte) js.Value {
	u := global.Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u, b)
	return u
}

// goBytes copies an ArrayBuffer into dst (grown as needed) and returns it.
func goBytes(dst []byte, buf js.Value) []byte {
	u := global.Get("Uint8Array").New(buf)
	n := u.Get("length").Int()
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	js.CopyBytesToGo(dst, u)
	return dst
}

// blobBytes reads a whole Blob (or File).
func blobBytes(b js.Value) ([]byte, error) {
	buf, err := call(b, "arrayBuffer")
	if err != nil {
		return nil, err
	}
	return goBytes(nil, buf), nil
}

// blobReader reads a Blob (or File) as an io.ReaderAt through a window of
// readWindow bytes, so that sequential small reads cost few promises.
// Reading happens in the worker: the bytes never pass through the page.
type blobReader struct {
	blob js.Value
	size int64
	// fetched, if not nil, is told the bytes read from the Blob so far; an
	// error from it stops reading.
	fetched func(n int64) error

	win    []byte
	winOff int64
	total  int64
}

const readWindow = 4 << 20

func newBlobReader(b js.Value, fetched func(int64) error) *blobReader {
	return &blobReader{blob: b, size: int64(b.Get("size").Float()), fetched: fetched}
}

func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		o := off + int64(n)
		if o >= r.size {
			return n, io.EOF
		}
		if o < r.winOff || o >= r.winOff+int64(len(r.win)) {
			if err := r.fill(o, len(p)-n); err != nil {
				return n, err
			}
		}
		n += copy(p[n:], r.win[o-r.winOff:])
	}
	return n, nil
}

func (r *blobReader) fill(off int64, want int) error {
	end := min(r.size, off+max(int64(want), readWindow))
	buf, err := call(r.blob.Call("slice", float64(off), float64(end)), "arrayBuffer")
	if err != nil {
		return fmt.Errorf("reading bytes %d-%d: %w", off, end, err)
	}
	r.win, r.winOff = goBytes(r.win, buf), off
	r.total += end - off
	if r.fetched != nil {
		return r.fetched(r.total)
	}
	return nil
}
