//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/vugu/vugu"
)

// jsHost is Host over the bridge object that public/ui.js sets up as
// globalThis.prefixtuneUI before it starts ui.wasm:
//
//	post(text, files)        send a request to the engine
//	listen(onMessage, onFail) receive engine messages (text) and a start failure (text)
//	fetchFile(url, name)     Promise<File>
//	readText(file, max)      Promise<string>
//	readBytes(file, max)     Promise<Uint8Array>
//	makeFile(bytes, name)    File
//	save(bytes, name, type)  offer a download
type jsHost struct {
	bridge js.Value
	queue  *queue
}

func newJSHost() (*jsHost, error) {
	b := js.Global().Get("prefixtuneUI")
	if b.IsUndefined() {
		return nil, errors.New("globalThis.prefixtuneUI is missing: load ui.wasm through ui.js")
	}
	return &jsHost{bridge: b, queue: newQueue()}, nil
}

// connect routes engine messages to app: the JS callback only queues
// them, a goroutine delivers them under the render lock.
func (h *jsHost) connect(app *App) {
	go h.queue.run(app.client.Deliver)
	onMessage := js.FuncOf(func(_ js.Value, args []js.Value) any {
		h.queue.push([]byte(args[0].String()))
		return nil
	})
	onFail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := args[0].String()
		go func() {
			app.env.Lock()
			app.EngineFailed(msg)
			app.env.UnlockRender()
		}()
		return nil
	})
	h.bridge.Call("listen", onMessage, onFail)
}

func (h *jsHost) Post(msg []byte, files []File) {
	arr := js.Global().Get("Array").New()
	for _, f := range files {
		arr.Call("push", f.ref.(js.Value))
	}
	h.bridge.Call("post", string(msg), arr)
}

// await waits for a promise; call it from a goroutine only.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: args[0]}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := args[0].Call("toString").String()
		if m := args[0].Get("message"); m.Type() == js.TypeString {
			msg = m.String()
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	defer then.Release()
	defer catch.Release()
	p.Call("then", then, catch)
	r := <-ch
	return r.v, r.err
}

func fileOf(v js.Value) File {
	f := File{Name: v.Get("name").String(), Size: int64(v.Get("size").Float()), ref: v}
	if p := v.Get("webkitRelativePath"); p.Type() == js.TypeString {
		f.Path = p.String()
	}
	return f
}

func (h *jsHost) ReadText(f File, max int) (string, error) {
	v, err := await(h.bridge.Call("readText", f.ref.(js.Value), max))
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

func (h *jsHost) ReadBytes(f File, max int) ([]byte, error) {
	v, err := await(h.bridge.Call("readBytes", f.ref.(js.Value), max))
	if err != nil {
		return nil, err
	}
	b := make([]byte, v.Get("length").Int())
	js.CopyBytesToGo(b, v)
	return b, nil
}

func (h *jsHost) Fetch(url, name string) (File, error) {
	v, err := await(h.bridge.Call("fetchFile", url, name))
	if err != nil {
		return File{}, err
	}
	return fileOf(v), nil
}

func bytesJS(data []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(a, data)
	return a
}

func (h *jsHost) NewFile(name string, data []byte) File {
	return fileOf(h.bridge.Call("makeFile", bytesJS(data), name))
}

func (h *jsHost) Save(name, mime string, data []byte) {
	h.bridge.Call("save", bytesJS(data), name, mime)
}

func (h *jsHost) Origin() string { return js.Global().Get("location").Get("origin").String() }

func (h *jsHost) EventFiles(e vugu.DOMEvent) []File {
	ev := js.Value(e.JSEvent())
	list := ev.Get("target").Get("files")
	if dt := ev.Get("dataTransfer"); dt.Truthy() {
		list = dt.Get("files")
	}
	if !list.Truthy() {
		return nil
	}
	files := make([]File, list.Length())
	for i := range files {
		files[i] = fileOf(list.Index(i))
	}
	return files
}

// ClearStorage calls PrefixtuneEngine.clearStorage (public/engine.js).
func (h *jsHost) ClearStorage() (Cleared, error) {
	v, err := await(js.Global().Get("PrefixtuneEngine").Call("clearStorage"))
	if err != nil {
		return Cleared{}, err
	}
	c := Cleared{Runs: v.Get("runs").Int(), Files: v.Get("files").Int(), Bytes: int64(v.Get("bytes").Float())}
	caches := v.Get("caches")
	for i := range caches.Length() {
		k := caches.Index(i)
		c.Caches = append(c.Caches, CacheCleared{Name: k.Get("name").String(), Files: k.Get("files").Int(), Bytes: int64(k.Get("bytes").Float())})
	}
	return c, nil
}
