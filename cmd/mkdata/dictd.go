package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

// A dictEntry is one entry of a dictd database: its headword as the index
// spells it and its raw text.
type dictEntry struct {
	Head, Text string
}

// readDictd reads a dictd database: name.index holds one line per entry,
// "headword TAB offset TAB length", the numbers in dictd's base 64
// (A-Z a-z 0-9 + /, most significant digit first); name.dict.dz is the
// text, gzip-compressed with dictzip's extra header (which gzip readers
// skip). Entries whose headword starts with "00-database" or "00database"
// describe the database itself and are left out.
func readDictd(index, dict string) ([]dictEntry, error) {
	idx, err := os.ReadFile(index)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(dict)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dict, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dict, err)
	}
	var entries []dictEntry
	for i, line := range strings.Split(strings.TrimRight(string(idx), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want 3 tab-separated fields, got %d", index, i+1, len(f))
		}
		if strings.HasPrefix(f[0], "00-database") || strings.HasPrefix(f[0], "00database") {
			continue
		}
		off, err1 := base64Number(f[1])
		n, err2 := base64Number(f[2])
		if err1 != nil || err2 != nil || off+n > len(text) {
			return nil, fmt.Errorf("%s:%d: bad offset or length %q %q", index, i+1, f[1], f[2])
		}
		entries = append(entries, dictEntry{f[0], string(bytes.ToValidUTF8(text[off:off+n], nil))})
	}
	return entries, nil
}

// base64Number decodes a dictd index number.
func base64Number(s string) (int, error) {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if s == "" || len(s) > 6 {
		return 0, fmt.Errorf("bad dictd number %q", s)
	}
	n := 0
	for _, c := range []byte(s) {
		d := strings.IndexByte(digits, c)
		if d < 0 {
			return 0, fmt.Errorf("bad dictd number %q", s)
		}
		n = n*64 + d
	}
	return n, nil
}
