package tensor

import (
	"runtime"
	"syscall"
	"unsafe"
)

// reserveSlots is the address space a CPU arena reserves at its first
// allocation: 16 GiB, of which only the pages that are touched take memory,
// so the arena grows without copying and its peak is what it holds.
const reserveSlots = 1 << 32

// grow makes room for need slots. The first time, it maps a reservation of
// reserveSlots slots (unmapped again once d is unreachable); beyond that,
// or where the system refuses the mapping, it grows by copying.
func (d *CPU) grow(need int) {
	if cap(d.arena) == 0 && need <= reserveSlots {
		m, err := syscall.Mmap(-1, 0, reserveSlots*4, syscall.PROT_READ|syscall.PROT_WRITE,
			syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
		if err == nil {
			d.arena = unsafe.Slice((*float32)(unsafe.Pointer(&m[0])), reserveSlots)[:0]
			runtime.AddCleanup(d, func(m []byte) { syscall.Munmap(m) }, m)
			return
		}
	}
	d.growCopy(need)
}
