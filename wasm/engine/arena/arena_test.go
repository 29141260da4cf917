package arena

import (
	"testing"

	"prefixtune/core/tensor"
)

func TestReuse(t *testing.T) {
	cpu := tensor.NewCPU()
	p := New(cpu)
	weights := p.Alloc(100) // outside any scope: never released
	s := p.Begin()
	a, b := p.Alloc(20), p.Alloc(40)
	inner := p.Begin()
	c := p.Alloc(5)
	inner.Release()
	if p.FreeSlots() != 16 {
		t.Fatalf("releasing the inner scope freed %d slots, want 16 (5 rounded up)", p.FreeSlots())
	}
	if got := p.Alloc(3); got.Off != c.Off {
		t.Errorf("a 3-slot tensor went to %d, not into the released %d", got.Off, c.Off)
	}
	cpu.Upload(a, make([]float32, 20))
	cpu.F(a)[7] = 3
	s.Release()
	s.Release() // twice is harmless
	// a (32 slots), b (48) and the 3-slot tensor's region merge into one.
	d := p.Alloc(32 + 48)
	if d.Off != a.Off {
		t.Errorf("80 slots went to %d, want the merged region at %d", d.Off, a.Off)
	}
	if cpu.F(d)[7] != 0 {
		t.Errorf("reused slots are not zeroed")
	}
	if e := p.Alloc(1000); e.Off <= b.Off {
		t.Errorf("a tensor larger than every free region was not bump-allocated: %+v", e)
	}
	if weights.Off != 0 || p.FreeSlots() != 16 {
		t.Errorf("weights at %d, %d free slots (want the 16 after the merged 80)", weights.Off, p.FreeSlots())
	}
}

func TestEndKeeps(t *testing.T) {
	p := New(tensor.NewCPU())
	run := p.Begin()
	x := p.Alloc(10)
	run.End()
	job := p.Begin()
	y := p.Alloc(10)
	job.Release()
	if z := p.Alloc(10); z.Off == x.Off || z.Off != y.Off {
		t.Errorf("after End the run's tensor %d must stay; the job's %d is reused: got %d", x.Off, y.Off, z.Off)
	}
	run.Release()
	if p.FreeSlots() != 16 {
		t.Errorf("%d free slots after releasing the run, want 16", p.FreeSlots())
	}
	if z := p.Alloc(0); z.Len != 0 {
		t.Errorf("Alloc(0) = %+v", z)
	}
}

// TestFinish: a scope finished after Keep keeps its tensors; one finished
// without, as when the work in it failed or panicked, releases them.
func TestFinish(t *testing.T) {
	p := New(tensor.NewCPU())
	failed := func() (x tensor.Tensor) {
		s := p.Begin()
		defer func() { recover() }()
		defer s.Finish()
		x = p.Alloc(10)
		panic("the arena cannot grow")
	}()
	if p.FreeSlots() != 16 {
		t.Fatalf("%d free slots after a panic in the scope, want its 16", p.FreeSlots())
	}
	s := p.Begin()
	kept := p.Alloc(10)
	s.Keep()
	s.Finish()
	if kept.Off != failed.Off || p.FreeSlots() != 0 {
		t.Errorf("the kept tensor is at %d (the failed one's %d), %d free slots, want 0", kept.Off, failed.Off, p.FreeSlots())
	}
	s.Release()
	if p.FreeSlots() != 16 {
		t.Errorf("%d free slots after releasing the kept scope, want 16", p.FreeSlots())
	}
}

// TestMarkRelease: core code's Mark/Release through a pool returns slots to
// the pool, never cuts the device's bump pointer under the pool's feet, and
// later allocations never overlap live tensors.
func TestMarkRelease(t *testing.T) {
	d := tensor.NewCPU()
	p := New(d)
	live := p.Alloc(100)
	mark := p.Mark()
	scratch := p.Alloc(1000)
	inner := p.Mark()
	p.Alloc(10)
	p.Release(inner)
	p.Release(mark)
	if p.FreeSlots() < 1000 {
		t.Fatalf("%d free slots after Release, want the scratch's 1000+", p.FreeSlots())
	}
	top := d.Mark()
	a, b := p.Alloc(500), p.Alloc(400)
	if a.Off != scratch.Off || d.Mark() != top {
		t.Errorf("a at %d (the scratch was at %d), device top %d -> %d: want both from released slots", a.Off, scratch.Off, top, d.Mark())
	}
	for _, x := range []tensor.Tensor{a, b} {
		if x.Off < live.Off+live.Len && live.Off < x.Off+x.Len {
			t.Errorf("%+v overlaps the live tensor %+v", x, live)
		}
	}
	if a.Off < b.Off+b.Len && b.Off < a.Off+a.Len {
		t.Errorf("%+v overlaps %+v", a, b)
	}
}
