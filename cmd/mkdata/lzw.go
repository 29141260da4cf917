package main

import (
	"errors"
	"fmt"
)

// uncompressLZW decodes the code stream of Unix compress(1) (.Z files),
// without the 3-byte header: maxBits is the largest code width (9..16) and
// blockMode says whether code 256 clears the table, as the header's third
// byte says (maxBits = b&0x1f, blockMode = b&0x80 != 0).
//
// Codes are packed least significant bit first. compress reads them in
// groups of 8 codes (nBits bytes); when the code width grows, or after a
// clear code, the rest of the current group is skipped. This follows
// unlzw.c in gzip, which decodes the same streams.
func uncompressLZW(in []byte, maxBits int, blockMode bool) ([]byte, error) {
	if maxBits < 9 || maxBits > 16 {
		return nil, fmt.Errorf("compressed stream uses %d-bit codes; only 9 to 16 are valid", maxBits)
	}
	const clearCode = 256
	maxMaxCode := 1 << maxBits
	prefix := make([]uint16, maxMaxCode)
	suffix := make([]byte, maxMaxCode)
	for i := range 256 {
		suffix[i] = byte(i)
	}
	// As in compress itself, the width first grows when the table passes
	// 511 entries, even with -b 9 (the last width then is 10 bits).
	nBits, maxCode := 9, 511
	free := 256
	if blockMode {
		free = 257
	}
	// skipGroup moves pos to the end of the current group of 8 codes,
	// counted from origin (the bit where the current code width began).
	pos, origin := 0, 0
	skipGroup := func() {
		group := nBits * 8
		rel := pos - origin
		pos = origin + (rel+group-1)/group*group
		origin = pos
	}
	totalBits := len(in) * 8
	var out, stack []byte
	oldCode, finChar := -1, byte(0)
	for {
		if free > maxCode {
			skipGroup()
			nBits++
			maxCode = 1<<nBits - 1
			if nBits == maxBits {
				maxCode = maxMaxCode
			}
		}
		if pos+nBits > totalBits {
			return out, nil
		}
		code := readBits(in, pos, nBits)
		pos += nBits
		if oldCode == -1 {
			if code >= 256 {
				return nil, fmt.Errorf("compressed stream starts with code %d; it must start with a literal byte", code)
			}
			oldCode, finChar = code, byte(code)
			out = append(out, finChar)
			continue
		}
		if code == clearCode && blockMode {
			skipGroup()
			nBits, maxCode = 9, 511
			free = 256
			continue
		}
		inCode := code
		stack = stack[:0]
		if code >= free {
			if code > free {
				return nil, errors.New("compressed stream is corrupt: a code refers to an entry not yet defined")
			}
			stack = append(stack, finChar)
			code = oldCode
		}
		for code >= 256 {
			stack = append(stack, suffix[code])
			code = int(prefix[code])
		}
		finChar = suffix[code]
		stack = append(stack, finChar)
		for i := len(stack) - 1; i >= 0; i-- {
			out = append(out, stack[i])
		}
		if free < maxMaxCode {
			prefix[free], suffix[free] = uint16(oldCode), finChar
			free++
		}
		oldCode = inCode
	}
}

// readBits returns the n-bit code that starts at bit pos of in, least
// significant bit first.
func readBits(in []byte, pos, n int) int {
	v := 0
	for i := range 3 {
		if j := pos/8 + i; j < len(in) {
			v |= int(in[j]) << (8 * i)
		}
	}
	return v >> (pos % 8) & (1<<n - 1)
}
