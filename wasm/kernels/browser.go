//go:build js && wasm

package kernels

import (
	"errors"
	"fmt"
	"unsafe"
)

// The browser backend: the kernel pool of wasm/pool.js, given to this Go
// program as the import module "kernels" (go.importObject.kernels =
// pool.imports). Every import is a small JavaScript forwarder; none goes
// through syscall/js, so a call costs tens of nanoseconds and allocates
// nothing in Go. Pointers into Go memory are passed as i32 byte offsets of
// Go's exported memory "mem"; arena offsets are i32 bit patterns of uint32.

// poolThreads is the number of threads of the pool (1 without isolation).
//
//go:wasmimport kernels threads
func poolThreads() int32

// poolRelaxed is 1 when the pool runs kernels_relaxed.wasm.
//
//go:wasmimport kernels relaxed
func poolRelaxed() int32

// poolBind tells the pool that export fn of abi.go is the export named
// name[:n] with arity parameters; it returns 0, or 1 when the module has no
// such export.
//
//go:wasmimport kernels bind
func poolBind(fn int32, name unsafe.Pointer, n int32, arity int32) int32

// poolRun runs tasks calls of export fn, whose arguments are tasks*arity
// uint32 at args; it returns 0, or 1+i when task i trapped (its message is
// then read with poolError).
//
//go:wasmimport kernels run
func poolRun(fn int32, args unsafe.Pointer, tasks int32) int32

// poolError copies the message of the last trap, UTF-8, into buf[:n] and
// returns its full length.
//
//go:wasmimport kernels error
func poolError(buf unsafe.Pointer, n int32) int32

// poolSize is the arena size in bytes.
//
//go:wasmimport kernels size
func poolSize() uint32

// poolGrow grows the arena to at least n bytes; it returns 0, or 1 when the
// browser refuses.
//
//go:wasmimport kernels grow
func poolGrow(n uint32) int32

// poolRead copies n bytes of the arena at off to Go memory at dst;
// poolWrite copies n bytes of Go memory at src to the arena at off.
//
//go:wasmimport kernels read
func poolRead(dst unsafe.Pointer, off, n uint32)

//go:wasmimport kernels write
func poolWrite(off uint32, src unsafe.Pointer, n uint32)

// BrowserOptions tune NewBrowser.
type BrowserOptions struct {
	// SplitAll splits every op, however small, into as many calls as the
	// pool has threads (tests of the split; slower for real work).
	SplitAll bool
}

// browserMinWork is the work below which an op runs as one call on the
// calling thread: waking a helper worker through Atomics costs several
// microseconds, far more than a native goroutine.
const browserMinWork = 1 << 20

// opened is set while a Device owns the page's arena.
var opened bool

// NewBrowser returns the Device over the page's kernel pool (wasm/pool.js),
// which the host must have given to this program as the import module
// "kernels" before instantiating it. The pool has one arena, so there is one
// Device per program: a second call returns an error until the first device
// is closed. The new device starts with an empty, zeroed arena.
func NewBrowser(opts BrowserOptions) (*Device, error) {
	if opened {
		return nil, errors.New("kernels: NewBrowser: the page's arena already has a Device; share it or Close it first")
	}
	for fn := range numExports {
		name := fn.name()
		if poolBind(int32(fn), unsafe.Pointer(unsafe.StringData(name)), int32(len(name)), int32(fn.arity())) != 0 {
			return nil, fmt.Errorf("kernels: the page's kernel module has no export %q with %d parameters; serve the kernels.wasm of this build", name, fn.arity())
		}
	}
	build := "plain"
	if poolRelaxed() != 0 {
		build = "relaxed"
	}
	be := &browserBackend{n: int(poolThreads())}
	be.run(fnZero, []uint32{reserved, 0, uint32(be.size()-reserved) / 4})
	d := newDevice(fmt.Sprintf("browser-%s/%d", build, be.n), be, build == "relaxed")
	d.minWork = browserMinWork
	if opts.SplitAll {
		d.minWork = 0
	}
	opened = true
	return d, nil
}

type browserBackend struct{ n int }

func (b *browserBackend) threads() int { return b.n }

func (b *browserBackend) run(fn export, args []uint32) {
	tasks := len(args) / fn.arity()
	if tasks == 0 {
		return
	}
	if bad := poolRun(int32(fn), unsafe.Pointer(unsafe.SliceData(args)), int32(tasks)); bad != 0 {
		i := int(bad) - 1
		msg := make([]byte, 256)
		msg = msg[:min(len(msg), int(poolError(unsafe.Pointer(unsafe.SliceData(msg)), int32(len(msg)))))]
		panic(fmt.Sprintf("kernels: %s%v trapped: %s", fn.name(), args[i*fn.arity():(i+1)*fn.arity()], msg))
	}
}

func (b *browserBackend) size() int { return int(poolSize()) }

func (b *browserBackend) grow(n int) error {
	if poolGrow(uint32(n)) != 0 {
		return fmt.Errorf("the browser refused to grow the arena from %d to %d bytes", b.size(), n)
	}
	return nil
}

// inside panics unless [off, off+n) lies in the arena: the forwarders do not
// check, and a JavaScript exception would end the Go program.
func (b *browserBackend) inside(op string, off, n int) {
	if off < 0 || off+n > b.size() {
		panic(fmt.Sprintf("kernels: %s of %d bytes at %d is outside the %d-byte arena", op, n, off, b.size()))
	}
}

func (b *browserBackend) read(dst []byte, off int) {
	b.inside("read", off, len(dst))
	if len(dst) > 0 {
		poolRead(unsafe.Pointer(unsafe.SliceData(dst)), uint32(off), uint32(len(dst)))
	}
}

func (b *browserBackend) write(off int, src []byte) {
	b.inside("write", off, len(src))
	if len(src) > 0 {
		poolWrite(uint32(off), unsafe.Pointer(unsafe.SliceData(src)), uint32(len(src)))
	}
}

// close releases the arena for another Device (which zeroes it); the pool
// itself belongs to the page.
func (b *browserBackend) close() error {
	opened = false
	return nil
}
