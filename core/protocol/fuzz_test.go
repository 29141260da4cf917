package protocol

import "testing"

// FuzzDecode: any message decodes to a typed request or event that encodes
// back, or to an error; never a panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":1,"type":"pause","body":{}}`))
	f.Add([]byte(`{"id":2,"type":"train","body":{"options":{"prefix_len":5}}}`))
	f.Add([]byte(`{"id":3,"type":"progress","body":{"step":3}}`))
	f.Add([]byte(`{"id":4,"type":"evaluate","body":{"data":"test","shots":3,"generate":true,"classify":true}}`))
	f.Add([]byte(`{"id":4,"type":"evaluated","body":{"reports":[{"name":"prefix","kind":"prefix","loss":{"point":2},"bleu":{"point":9}}]}}`))
	f.Add([]byte(`{"id":4,"type":"check_model","body":{"config":"{\"model_type\":\"llama\"}"}}`))
	f.Add([]byte(`{"id":4,"type":"model_checked","body":{"family":"gpt2","layers":48,"problem":"too large"}}`))
	f.Add([]byte(`{"id":5,"type":"model_loaded","body":{"family":"llama","layers":30,"heads":9,"kv_heads":3,"weights":"BF16","weight_bytes":270000000}}`))
	f.Add([]byte(`{"id":0,"type":"nope"}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if id, r, err := DecodeRequest(b); err == nil {
			if _, err := EncodeRequest(id, r); err != nil {
				t.Fatalf("a decoded request does not encode: %v", err)
			}
		}
		if id, e, err := DecodeEvent(b); err == nil {
			if _, err := EncodeEvent(id, e); err != nil {
				t.Fatalf("a decoded event does not encode: %v", err)
			}
		}
	})
}
