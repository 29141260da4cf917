package main

import (
	"bytes"
	"os"
	"testing"
)

// The .Z fixtures were made with ncompress 4.2.4.6 (Debian's compress):
// compress -c words.txt > words.Z (the code width grows from 9 bits), and
// compress -b 10 -c mixed.bin > mixed10.Z, where mixed.bin is 12000 bytes
// of words.txt and then 9000 random bytes: the 10-bit table fills, the
// ratio drops and compress emits a clear code.
func TestUncompressLZW(t *testing.T) {
	for _, c := range []struct{ z, plain string }{
		{"words.Z", "words.txt"},
		{"mixed10.Z", "mixed.bin"},
	} {
		z := readFile(t, "testdata/"+c.z)
		want := readFile(t, "testdata/"+c.plain)
		if z[0] != 0x1f || z[1] != 0x9d {
			t.Fatalf("%s: not a .Z file", c.z)
		}
		got, err := uncompressLZW(z[3:], int(z[2]&0x1f), z[2]&0x80 != 0)
		if err != nil {
			t.Fatalf("%s: %v", c.z, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: decoded %d bytes, want %d (first difference at %d)", c.z, len(got), len(want), firstDiff(got, want))
		}
	}
}

func TestUncompressLZWCorrupt(t *testing.T) {
	if _, err := uncompressLZW([]byte{0x00, 0xff, 0xff}, 16, true); err == nil {
		t.Error("a stream that refers to an undefined entry was accepted")
	}
	if _, err := uncompressLZW([]byte{0x41}, 17, true); err == nil {
		t.Error("17-bit codes were accepted")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
