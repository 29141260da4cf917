// Package arena lets an engine that serves many requests on one model reuse
// the slots of its device's arena. A tensor.Device allocates with a bump
// pointer and never frees; Pool records the tensors allocated while a Scope
// is open, and Release hands their slots back, first fit, to later
// allocations. The model's weights, allocated outside any scope, stay put.
package arena

import (
	"slices"

	"prefixtune/core/tensor"
)

// align is the alignment of every tensor, in slots (tensor.Device.Alloc).
const align = 16

func up(n int) int { return (n + align - 1) / align * align }

// Pool is a device whose Alloc reuses released slots.
type Pool struct {
	tensor.Device
	free   []tensor.Tensor // released regions, sorted by offset, adjacent ones merged
	scopes []*Scope        // open scopes; the last one records
	marks  []*Scope        // scopes opened by Mark, innermost last
}

// New returns a pool over d.
func New(d tensor.Device) *Pool { return &Pool{Device: d} }

// Scope is a set of allocations that are released together.
type Scope struct {
	p       *Pool
	tensors []tensor.Tensor
	kept    bool
}

// Begin opens a scope: until it ends, every allocation belongs to it.
// Scopes nest; an allocation belongs to the innermost open one.
func (p *Pool) Begin() *Scope {
	s := &Scope{p: p}
	p.scopes = append(p.scopes, s)
	return s
}

// End stops recording into s; its tensors stay allocated.
func (s *Scope) End() {
	if i := slices.Index(s.p.scopes, s); i >= 0 {
		s.p.scopes = slices.Delete(s.p.scopes, i, i+1)
	}
}

// Keep marks s's tensors to stay allocated when Finish ends s.
func (s *Scope) Keep() { s.kept = true }

// Finish ends s, keeping its tensors if Keep was called and releasing them
// otherwise. Deferred right after Begin, it makes a failure (an error, or
// a panic of an arena that cannot grow part-way) leave nothing behind.
func (s *Scope) Finish() {
	if s.kept {
		s.End()
	} else {
		s.Release()
	}
}

// Release ends s and returns its slots to the pool. Its tensors must not
// be used afterwards. Releasing twice does nothing.
func (s *Scope) Release() {
	s.End()
	for _, t := range s.tensors {
		s.p.put(tensor.Tensor{Off: t.Off, Len: up(t.Len)})
	}
	s.tensors = nil
}

// Mark opens a scope on behalf of tensor.Device's Mark and Release (which
// core code such as generation uses for its scratch): the pool's slots are
// not a stack, so the underlying device's own Mark and Release must not be
// used under it.
func (p *Pool) Mark() int {
	p.marks = append(p.marks, p.Begin())
	return len(p.marks) - 1
}

// Release returns the slots allocated since Mark returned mark.
func (p *Pool) Release(mark int) {
	for len(p.marks) > mark {
		p.marks[len(p.marks)-1].Release()
		p.marks = p.marks[:len(p.marks)-1]
	}
}

// Alloc returns n zeroed slots, from released ones when a region fits.
func (p *Pool) Alloc(n int) tensor.Tensor {
	if n == 0 {
		return p.Device.Alloc(0)
	}
	t, ok := p.take(n)
	if ok {
		p.Device.Zero(t)
	} else {
		t = p.Device.Alloc(n)
	}
	if k := len(p.scopes); k > 0 {
		s := p.scopes[k-1]
		s.tensors = append(s.tensors, t)
	}
	return t
}

// FreeSlots is the number of released slots waiting for reuse.
func (p *Pool) FreeSlots() int {
	n := 0
	for _, f := range p.free {
		n += f.Len
	}
	return n
}

// take cuts n slots from the first free region that holds them.
func (p *Pool) take(n int) (tensor.Tensor, bool) {
	need := up(n)
	for i, f := range p.free {
		if f.Len < need {
			continue
		}
		if f.Len == need {
			p.free = slices.Delete(p.free, i, i+1)
		} else {
			p.free[i] = tensor.Tensor{Off: f.Off + need, Len: f.Len - need}
		}
		return tensor.Tensor{Off: f.Off, Len: n}, true
	}
	return tensor.Tensor{}, false
}

// put adds region r (aligned offset, length a multiple of align) to the
// free list, merging it with its neighbours.
func (p *Pool) put(r tensor.Tensor) {
	i, _ := slices.BinarySearchFunc(p.free, r.Off, func(f tensor.Tensor, off int) int { return f.Off - off })
	p.free = slices.Insert(p.free, i, r)
	if i+1 < len(p.free) && p.free[i].Off+p.free[i].Len == p.free[i+1].Off {
		p.free[i].Len += p.free[i+1].Len
		p.free = slices.Delete(p.free, i+1, i+2)
	}
	if i > 0 && p.free[i-1].Off+p.free[i-1].Len == p.free[i].Off {
		p.free[i-1].Len += p.free[i].Len
		p.free = slices.Delete(p.free, i, i+1)
	}
}
