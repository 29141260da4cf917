// Package tensortest is the conformance suite that every tensor.Device
// plugs into: each op is run on the device under test and on the reference
// device (tensor.NewCPU) with the same random inputs, at sizes that are not
// multiples of any SIMD width (1..67 and 1025), at unaligned offsets, with
// guard bands around every output that must stay untouched.
//
// Errors are normalised: max|got-want| / max(1, max|want|) must stay below
// the op's tolerance.
package tensortest
