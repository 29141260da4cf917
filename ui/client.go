package main

import (
	"sync"

	"prefixtune/core/protocol"

	"github.com/vugu/vugu"
)

// File is a file the person picked or a sample the page fetched: its name
// and size, and the browser's File object behind it (a js.Value in the
// page), which is posted to the engine without being read.
type File struct {
	Name string
	Path string // the path within a picked folder (webkitRelativePath), or ""
	Size int64
	ref  any
}

// Host is the browser as the app sees it. Post, Save and Now return at
// once; ReadText and Fetch block until the browser answers, so call them
// from a goroutine, never from an event handler.
type Host interface {
	// Post sends an encoded request and the files it names by index.
	Post(msg []byte, files []File)
	// ReadText returns the first max bytes of f as text.
	ReadText(f File, max int) (string, error)
	// ReadBytes returns the first max bytes of f.
	ReadBytes(f File, max int) ([]byte, error)
	// Fetch gets a file of the site (a sample dataset, the bundled model)
	// as a File named name, without reading it into the page.
	Fetch(url, name string) (File, error)
	// NewFile makes a File from bytes (an adapter file from a zip).
	NewFile(name string, data []byte) File
	// Save offers data to the person as a download named name.
	Save(name, mime string, data []byte)
	// Origin is the page's origin, e.g. http://127.0.0.1:8080.
	Origin() string
	// EventFiles returns the files of an input's change event or a drop.
	EventFiles(e vugu.DOMEvent) []File
	// ClearStorage deletes everything the site stores in the browser (the
	// model cache and the saved runs) and says what it removed; it blocks.
	ClearStorage() (Cleared, error)
}

// Client sends requests to the engine and routes its events to the
// handler of the request they answer. Events are delivered by Deliver,
// which takes the render lock around each handler.
type Client struct {
	host Host
	env  vugu.EventEnv

	mu       sync.Mutex // guards next and handlers against Deliver
	next     uint64
	handlers map[uint64]func(protocol.Event)
	onReady  func(protocol.Ready)
	onStray  func(error)
}

// NewClient returns a client posting through host; handlers run with
// env's lock held and a render requested after each.
func NewClient(host Host, env vugu.EventEnv) *Client {
	return &Client{host: host, env: env, handlers: map[uint64]func(protocol.Event){}}
}

// Send posts r with files and calls on for every event about it, the last
// one terminal (protocol.Terminal). It returns the request's id.
func (c *Client) Send(r protocol.Request, files []File, on func(protocol.Event)) uint64 {
	c.mu.Lock()
	c.next++
	id := c.next
	c.handlers[id] = on
	c.mu.Unlock()
	msg, err := protocol.EncodeRequest(id, r)
	if err != nil { // only an unencodable float (NaN) gets here
		c.finish(id)
		on(protocol.Errorf(protocol.CodeBadRequest, "%v", err))
		return id
	}
	c.host.Post(msg, files)
	return id
}

func (c *Client) finish(id uint64) {
	c.mu.Lock()
	delete(c.handlers, id)
	c.mu.Unlock()
}

// Deliver decodes one message from the engine and runs its handler under
// the render lock. It must not be called from a JS callback (it waits for
// the lock): the page queues messages to a goroutine that calls it.
func (c *Client) Deliver(msg []byte) {
	id, ev, err := protocol.DecodeEvent(msg)
	c.mu.Lock()
	on := c.handlers[id]
	if err == nil && protocol.Terminal(ev) {
		delete(c.handlers, id)
	}
	c.mu.Unlock()
	c.env.Lock()
	defer c.env.UnlockRender()
	switch {
	case err != nil:
		if on != nil {
			c.finish(id)
			on(protocol.Errorf(protocol.CodeInternal, "the engine sent a message the page cannot read: %v", err))
		} else {
			c.onStray(err)
		}
	case id == 0:
		switch ev := ev.(type) {
		case protocol.Ready:
			c.onReady(ev)
		case protocol.Error: // the engine stopped
			c.onStray(ev)
		}
	case on != nil:
		on(ev)
	}
}

// queue hands messages from a JS callback to one goroutine that delivers
// them in order: the callback appends and never blocks.
type queue struct {
	mu     sync.Mutex
	msgs   [][]byte
	wakeup chan struct{}
}

func newQueue() *queue { return &queue{wakeup: make(chan struct{}, 1)} }

// push adds a message and wakes the reader; it never blocks.
func (q *queue) push(msg []byte) {
	q.mu.Lock()
	q.msgs = append(q.msgs, msg)
	q.mu.Unlock()
	select {
	case q.wakeup <- struct{}{}:
	default:
	}
}

// run delivers messages forever.
func (q *queue) run(deliver func([]byte)) {
	for range q.wakeup {
		for {
			q.mu.Lock()
			if len(q.msgs) == 0 {
				q.mu.Unlock()
				break
			}
			msg := q.msgs[0]
			q.msgs = q.msgs[1:]
			q.mu.Unlock()
			deliver(msg)
		}
	}
}
