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
