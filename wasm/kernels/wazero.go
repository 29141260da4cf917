//go:build linux || darwin

package kernels

import (
	"context"
	_ "embed"
	"fmt"
	"sync"
	"syscall"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

//go:embed kernels.wasm
var plainWasm []byte

// cache keeps wazero's compilation of the module across devices.
var cache = wazero.NewCompilationCache()

// NewWazero returns a Device that runs the plain SIMD128 build natively
// under wazero, with threads instances of the module (one goroutine each)
// sharing its memory. Close it to release the memory.
func NewWazero(threads int) (*Device, error) {
	if threads < 1 {
		return nil, fmt.Errorf("kernels: NewWazero(%d): need at least one thread", threads)
	}
	be, err := newWazeroBackend(plainWasm, threads)
	if err != nil {
		return nil, err
	}
	return newDevice(fmt.Sprintf("wazero/%d", threads), be, false), nil
}

// memoryModule is a module that only exports a shared memory of 1 to 65536
// pages, instantiated as "env" for the kernels to import.
var memoryModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
	0x05, 0x06, 0x01, 0x03, 0x01, 0x80, 0x80, 0x04, // memory section: shared, min 1, max 65536
	0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00, // export "memory"
}

type wazeroBackend struct {
	ctx    context.Context
	rt     wazero.Runtime
	mem    api.Memory
	fns    [][numExports]api.Function // per instance
	stacks [][]uint64                 // per instance
	errs   []error                    // per instance, of the current run
}

// reservation is the wasm memory: the whole 4 GiB reserved up front without
// committing it, so that the shared memory never moves and growing it is free.
type reservation struct{ buf []byte }

func (r *reservation) Reallocate(size uint64) []byte {
	if size > uint64(len(r.buf)) {
		return nil
	}
	return r.buf[:size]
}

func (r *reservation) Free() { syscall.Munmap(r.buf) }

func newWazeroBackend(wasm []byte, threads int) (*wazeroBackend, error) {
	buf, err := syscall.Mmap(-1, 0, 1<<32, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("kernels: reserving 4 GiB of address space for the arena: %w", err)
	}
	res := &reservation{buf}
	ctx := experimental.WithMemoryAllocator(context.Background(),
		experimental.MemoryAllocatorFunc(func(_, _ uint64) experimental.LinearMemory { return res }))
	cfg := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads).
		WithCompilationCache(cache)
	b := &wazeroBackend{ctx: ctx, rt: wazero.NewRuntimeWithConfig(ctx, cfg)}
	if err := b.init(wasm, threads); err != nil {
		b.rt.Close(ctx)
		return nil, err
	}
	return b, nil
}

func (b *wazeroBackend) init(wasm []byte, threads int) error {
	env, err := b.rt.InstantiateWithConfig(b.ctx, memoryModule, wazero.NewModuleConfig().WithName("env"))
	if err != nil {
		return fmt.Errorf("kernels: creating the shared memory: %w", err)
	}
	b.mem = env.Memory()
	compiled, err := b.rt.CompileModule(b.ctx, wasm)
	if err != nil {
		return fmt.Errorf("kernels: compiling the kernel module: %w", err)
	}
	for i := range threads {
		mod, err := b.rt.InstantiateModule(b.ctx, compiled, wazero.NewModuleConfig().WithName(fmt.Sprintf("kernels%d", i)))
		if err != nil {
			return fmt.Errorf("kernels: instantiating the kernel module: %w", err)
		}
		var fns [numExports]api.Function
		for fn := range numExports {
			fns[fn] = mod.ExportedFunction(fn.name())
			if fns[fn] == nil || len(fns[fn].Definition().ParamTypes()) != fn.arity() {
				return fmt.Errorf("kernels: the kernel module has no export %q with %d parameters; regenerate it (go generate ./wasm/kernels)", fn.name(), fn.arity())
			}
		}
		b.fns = append(b.fns, fns)
		b.stacks = append(b.stacks, make([]uint64, 32))
	}
	b.errs = make([]error, threads)
	return nil
}

func (b *wazeroBackend) threads() int { return len(b.fns) }

// call runs one task on instance i.
func (b *wazeroBackend) call(i int, fn export, args []uint32) {
	stack := b.stacks[i][:len(args)]
	for j, a := range args {
		stack[j] = uint64(a)
	}
	b.errs[i] = b.fns[i][fn].CallWithStack(b.ctx, stack)
}

func (b *wazeroBackend) run(fn export, args []uint32) {
	n := fn.arity()
	tasks := len(args) / n
	var wg sync.WaitGroup
	for i := 1; i < tasks; i++ {
		wg.Go(func() { b.call(i, fn, args[i*n:(i+1)*n]) })
	}
	b.call(0, fn, args[:n])
	wg.Wait()
	for i := range tasks {
		if b.errs[i] != nil {
			panic(fmt.Sprintf("kernels: %s%v trapped: %v", fn.name(), args[i*n:(i+1)*n], b.errs[i]))
		}
	}
}

func (b *wazeroBackend) size() int { return int(b.mem.Size()) }

func (b *wazeroBackend) grow(n int) error {
	pages := (n - b.size() + 65535) / 65536
	if _, ok := b.mem.Grow(uint32(pages)); !ok {
		return fmt.Errorf("memory.grow by %d pages failed", pages)
	}
	return nil
}

func (b *wazeroBackend) read(dst []byte, off int) {
	src, ok := b.mem.Read(uint32(off), uint32(len(dst)))
	if !ok {
		panic(fmt.Sprintf("kernels: read of %d bytes at %d is outside the %d-byte arena", len(dst), off, b.size()))
	}
	copy(dst, src)
}

func (b *wazeroBackend) write(off int, src []byte) {
	if !b.mem.Write(uint32(off), src) {
		panic(fmt.Sprintf("kernels: write of %d bytes at %d is outside the %d-byte arena", len(src), off, b.size()))
	}
}

func (b *wazeroBackend) close() error { return b.rt.Close(b.ctx) }
