//go:build linux || darwin

package kernels

import (
	"fmt"
	"testing"

	"prefixtune/core/tensor"
	"prefixtune/core/tensor/tensortest"
)

// newTestDevice returns a wazero device that splits every op, however small,
// into as many calls as it has threads.
func newTestDevice(t testing.TB, threads int) *Device {
	d, err := NewWazero(threads)
	if err != nil {
		t.Fatal(err)
	}
	d.minWork = 0
	t.Cleanup(func() { d.Close() })
	return d
}

func TestConformance(t *testing.T) {
	for _, threads := range []int{1, 3} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			tensortest.Run(t, func() tensor.Device { return newTestDevice(t, threads) })
		})
	}
}

// counting is a backend that records the most tasks of any run in most.
type counting struct {
	backend
	most *int
}

func (c counting) run(fn export, args []uint32) {
	*c.most = max(*c.most, len(args)/fn.arity())
	c.backend.run(fn, args)
}

// TestSetThreads checks that a device limited to fewer threads than its
// backend has splits no op into more calls than the limit, and still
// passes the conformance suite; and that the limit can be lifted.
func TestSetThreads(t *testing.T) {
	most := 0
	tensortest.Run(t, func() tensor.Device {
		d := newTestDevice(t, 3)
		d.be = counting{d.be, &most}
		if got := d.SetThreads(2); got != 2 {
			t.Fatalf("SetThreads(2) on 3 threads = %d", got)
		}
		return d
	})
	if most != 2 {
		t.Errorf("with a limit of 2 threads, an op ran as %d calls at most, want 2", most)
	}
	d := newTestDevice(t, 3)
	for _, n := range []int{0, -1, 3, 7} {
		if got := d.SetThreads(n); got != 3 {
			t.Errorf("SetThreads(%d) on 3 threads = %d, want 3 (all)", n, got)
		}
	}
	if got := d.SetThreads(1); got != 1 || d.Threads() != 1 {
		t.Errorf("SetThreads(1) = %d, Threads() = %d, want 1", got, d.Threads())
	}
}
