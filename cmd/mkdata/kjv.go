package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

// kjvFile is the compressed King James text in bible-kjv-text.
const kjvFile = "/usr/lib/bible.data"

// readKJV returns the King James Bible as one document per chapter, the
// verse numbers removed.
//
// bible.data (format "EC02", from Chip Chapin's Bible Retrieval System)
// holds the text in segments compressed one by one with Unix compress:
// the magic "EC02" and a description padded to byte 84, then big-endian
// uint32s: the uncompressed segment size, the number of segments n, and
// n+1 file offsets (the last is the file size). The 3-byte compress header
// stands once, just before the first segment. The text is one verse a
// line, "Ge1:1 In the beginning ...", after a title line.
func readKJV(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(why string) error {
		return fmt.Errorf("%s: not the bible.data format this program reads (%s)", path, why)
	}
	if len(b) < 92 || string(b[:4]) != "EC02" {
		return nil, bad("no EC02 magic")
	}
	segSize := int(binary.BigEndian.Uint32(b[84:]))
	n := int(binary.BigEndian.Uint32(b[88:]))
	if n <= 0 || 92+4*(n+1) > len(b) {
		return nil, bad(fmt.Sprintf("%d segments", n))
	}
	offs := make([]int, n+1)
	for i := range offs {
		offs[i] = int(binary.BigEndian.Uint32(b[92+4*i:]))
	}
	if offs[0] < 3 || offs[n] != len(b) {
		return nil, bad("segment offsets do not span the file")
	}
	head := b[offs[0]-3 : offs[0]]
	if head[0] != 0x1f || head[1] != 0x9d {
		return nil, bad("no compress header before the first segment")
	}
	var text strings.Builder
	for i := range n {
		if offs[i+1] < offs[i] {
			return nil, bad("segment offsets decrease")
		}
		seg, err := uncompressLZW(b[offs[i]:offs[i+1]], int(head[2]&0x1f), head[2]&0x80 != 0)
		if err != nil {
			return nil, fmt.Errorf("%s: segment %d: %v", path, i, err)
		}
		if len(seg) != segSize && i < n-1 {
			return nil, bad(fmt.Sprintf("segment %d holds %d bytes, not %d", i, len(seg), segSize))
		}
		text.Write(seg)
	}
	return kjvChapters(text.String())
}

// kjvChapters groups verse lines into chapters.
func kjvChapters(text string) ([]string, error) {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "Holy Bible") {
		return nil, fmt.Errorf("bible text does not start with its title line")
	}
	var chapters []string
	var cur []string
	chapter := ""
	for i, line := range lines[1:] {
		ref, verse, ok := strings.Cut(line, " ")
		colon := strings.IndexByte(ref, ':')
		if !ok || colon < 0 {
			return nil, fmt.Errorf("bible text line %d has no verse reference: %q", i+2, line)
		}
		if ref[:colon] != chapter && cur != nil {
			chapters = append(chapters, strings.Join(cur, " "))
			cur = nil
		}
		chapter = ref[:colon]
		cur = append(cur, clean(verse))
	}
	return append(chapters, strings.Join(cur, " ")), nil
}
