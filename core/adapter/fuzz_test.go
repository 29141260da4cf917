package adapter

import (
	"testing"
)

// FuzzDecode: any pair of adapter files decodes to a consistent prefix or
// an error, never a panic.
func FuzzDecode(f *testing.F) {
	cfg := NewConfig("m", 2, 1, 2, 4)
	js, st, err := Encode(cfg, make([]float32, 2*cfg.NumLayers*2*cfg.TokenDim))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(js, st)
	f.Add(js, st[:len(st)/2])
	f.Add([]byte(`{"peft_type":"LORA"}`), st)
	f.Add([]byte(`{}`), []byte{})
	f.Fuzz(func(t *testing.T, js, st []byte) {
		c, rows, err := Decode(js, st)
		if err != nil {
			return
		}
		if s := c.Shape(); len(rows) != s[0]*s[1] {
			t.Fatalf("decoded %d floats for shape %v", len(rows), s)
		}
	})
}
