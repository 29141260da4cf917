//go:build !linux

package tensor

// grow makes room for need slots by copying the arena into a larger one.
func (d *CPU) grow(need int) { d.growCopy(need) }
