// Package safetensors reads and writes the safetensors tensor file format in
// pure Go, and converts between float32 and the 16-bit float formats.
//
// A file is
//
//	8 bytes    N, the header length, unsigned little-endian
//	N bytes    a UTF-8 JSON object: tensor name -> {"dtype", "shape",
//	           "data_offsets": [begin, end]}, plus an optional
//	           "__metadata__" object of string -> string
//	the rest   the data section; offsets count bytes from its start
//
// Tensors are row-major and little-endian. Reading follows the rules of the
// reference Rust crate (huggingface/safetensors): the header is at most
// MaxHeaderSize bytes, every dtype is one the crate knows, shape and dtype
// agree with the byte span, and the tensors, sorted by offset, tile the data
// section exactly: the first starts at 0, each starts where the previous one
// ends, the last ends at the end of the file. Gaps, overlaps and trailing
// bytes are errors. Stricter than the crate, duplicate names and trailing
// text after the JSON object are errors too (the crate keeps the last
// duplicate silently).
//
// Writing produces the bytes the Rust crate (and so the Python library)
// produces: tensors ordered by dtype alignment, largest first, then by name;
// compact JSON with "__metadata__" first; the header padded with spaces to a
// multiple of 8 bytes. Metadata keys are sorted (the crate's order is that
// of a hash map).
//
// Data can be streamed into a caller's buffer (File.ReadFloat32, or
// File.ReadUint16 for the raw bits of F16 and BF16 tensors) from any
// io.ReaderAt, so an engine can load weights straight into its arena, from
// a file natively or from a Blob in the browser.
//
// Conversions (F16ToF32, F32ToF16, BF16ToF32, F32ToBF16) round to nearest,
// ties to even, and match PyTorch's CPU conversions bit for bit, NaNs
// included (see tests/reference/safetensors).
package safetensors
