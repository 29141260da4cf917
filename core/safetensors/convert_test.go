package safetensors

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

// reference is tests/reference/safetensors/f16_reference.json, written by
// make_f16.py from PyTorch's conversions.
type reference struct {
	F16ToF32SHA256  string `json:"f16_to_f32_sha256"`
	BF16ToF32SHA256 string `json:"bf16_to_f32_sha256"`
	Cases           []struct {
		Name string `json:"name"`
		F32  string `json:"f32"`
		F16  string `json:"f16"`
		BF16 string `json:"bf16"`
	} `json:"cases"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("../../tests/reference/safetensors/f16_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) < 1000 {
		t.Fatalf("reference has %d cases, expected over 1000", len(ref.Cases))
	}
	return ref
}

func hexBits(t *testing.T, s string, bits int) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 16, bits)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEncodeMatchesTorch(t *testing.T) {
	ref := loadReference(t)
	bad := 0
	for _, c := range ref.Cases {
		f := math.Float32frombits(uint32(hexBits(t, c.F32, 32)))
		want16, wantBF := uint16(hexBits(t, c.F16, 16)), uint16(hexBits(t, c.BF16, 16))
		if got := F32ToF16(f); got != want16 {
			t.Errorf("%s: F32ToF16(%s = %g) = %04x, torch gives %04x", c.Name, c.F32, f, got, want16)
			bad++
		}
		if got := F32ToBF16(f); got != wantBF {
			t.Errorf("%s: F32ToBF16(%s = %g) = %04x, torch gives %04x", c.Name, c.F32, f, got, wantBF)
			bad++
		}
		if bad > 20 {
			t.Fatal("too many mismatches")
		}
	}
}

// TestDecodeMatchesTorch converts all 65536 patterns and compares a digest
// of the float32 bits with PyTorch's.
func TestDecodeMatchesTorch(t *testing.T) {
	ref := loadReference(t)
	for _, tc := range []struct {
		name   string
		decode func(uint16) float32
		want   string
	}{
		{"F16ToF32", F16ToF32, ref.F16ToF32SHA256},
		{"BF16ToF32", BF16ToF32, ref.BF16ToF32SHA256},
	} {
		raw := make([]byte, 0, 4<<16)
		for h := 0; h < 1<<16; h++ {
			raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(tc.decode(uint16(h))))
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != tc.want {
			t.Errorf("%s over all 65536 patterns: sha256 %s, torch gives %s", tc.name, got, tc.want)
		}
	}
}

// TestDecodeSpotValues pins values that a digest mismatch would not name.
func TestDecodeSpotValues(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0400, 0x1p-14},
		{0x0001, 0x1p-24}, {0x03ff, 1023 * 0x1p-24}, {0x8001, -0x1p-24},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	} {
		if got := F16ToF32(c.h); got != c.want {
			t.Errorf("F16ToF32(%04x) = %g, want %g", c.h, got, c.want)
		}
	}
	if got := F16ToF32(0x7c01); !math.IsNaN(float64(got)) {
		t.Errorf("F16ToF32(7c01) = %g, want NaN", got)
	}
	if got := BF16ToF32(0x3f80); got != 1 {
		t.Errorf("BF16ToF32(3f80) = %g, want 1", got)
	}
}

// TestRoundTrip: every non-NaN 16-bit value survives float32 and back.
func TestRoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		if f := F16ToF32(uint16(h)); !math.IsNaN(float64(f)) && F32ToF16(f) != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%04x) = %g) = %04x", h, f, F32ToF16(f))
		}
		if f := BF16ToF32(uint16(h)); !math.IsNaN(float64(f)) && F32ToBF16(f) != uint16(h) {
			t.Fatalf("F32ToBF16(BF16ToF32(%04x) = %g) = %04x", h, f, F32ToBF16(f))
		}
	}
}
