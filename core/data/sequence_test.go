package data

import (
	"reflect"
	"strings"
	"testing"

	"prefixtune/core/tokenizer"
)

// byteEncoder encodes each byte as its value, except that "bc" is one token
// (1000), so encoding "abcd" differs from encoding "ab" and "cd" apart.
type byteEncoder struct{}

func (byteEncoder) Encode(s string) []int {
	var ids []int
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "bc") {
			ids = append(ids, 1000)
			i++
			continue
		}
		ids = append(ids, int(s[i]))
	}
	return ids
}

func (byteEncoder) EOS() int { return 9 }

// tokenizeCase is an example, a window and the sequence Tokenize makes.
type tokenizeCase struct {
	name    string
	ex      Example
	T       int
	tokens  []int32
	targets []int32
}

func checkTokenize(t *testing.T, enc Encoder, cases []tokenizeCase) {
	t.Helper()
	for _, tc := range cases {
		s := Tokenize(tc.ex, enc, tc.T)
		if !reflect.DeepEqual(s.Tokens, tc.tokens) || !reflect.DeepEqual(s.Targets, tc.targets) {
			t.Errorf("%s: got %v %v, want %v %v", tc.name, s.Tokens, s.Targets, tc.tokens, tc.targets)
		}
	}
}

func TestTokenize(t *testing.T) {
	const a, b, c, d, eos = 'a', 'b', 'c', 'd', 9
	checkTokenize(t, byteEncoder{}, []tokenizeCase{
		{"pair encoded in two parts", Example{"ab", "cd"}, 0,
			[]int32{a, b, c, d, eos}, []int32{-1, c, d, eos, -1}},
		{"text", Example{"", "abd"}, 10,
			[]int32{a, b, d, eos}, []int32{b, d, eos, -1}},
		{"merge within a part", Example{"a", "bcd"}, 5,
			[]int32{a, 1000, d, eos}, []int32{1000, d, eos, -1}},
		{"truncated before EOS", Example{"ab", "cd"}, 4,
			[]int32{a, b, c, d}, []int32{-1, c, d, -1}},
		{"truncated in completion", Example{"ab", "cd"}, 3,
			[]int32{a, b, c}, []int32{-1, c, -1}},
		{"prompt fills the window", Example{"ab", "cd"}, 2,
			[]int32{a, b}, []int32{-1, -1}},
		{"empty completion", Example{"ab", ""}, 0,
			[]int32{a, b, eos}, []int32{-1, eos, -1}},
		{"window of one", Example{"", "a"}, 1,
			[]int32{a}, []int32{-1}},
	})
}

func TestMakeBatch(t *testing.T) {
	const pad = 9
	seqs := []Sequence{
		{Tokens: []int32{1, 2}, Targets: []int32{-1, 9}},
		{Tokens: []int32{3, 4, 5, 6}, Targets: []int32{4, 5, 6, -1}},
		{Tokens: []int32{7}, Targets: []int32{-1}},
	}
	got := MakeBatch(seqs, pad)
	want := Batch{
		B: 3, T: 4,
		Tokens:   []int32{1, 2, pad, pad, 3, 4, 5, 6, 7, pad, pad, pad},
		Targets:  []int32{-1, 9, -1, -1, 4, 5, 6, -1, -1, -1, -1, -1},
		Valid:    []float32{1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0},
		NTargets: 4,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if e := MakeBatch(nil, pad); e.B != 0 || e.T != 0 || len(e.Tokens) != 0 || e.NTargets != 0 {
		t.Fatalf("empty batch: %+v", e)
	}
}

// bosEncoder is byteEncoder with a beginning-of-text token, 7.
type bosEncoder struct{ byteEncoder }

func (bosEncoder) BOS() int { return 7 }

func TestTokenizeBOS(t *testing.T) {
	const a, b, c, d, bos, eos = 'a', 'b', 'c', 'd', 7, 9
	checkTokenize(t, bosEncoder{}, []tokenizeCase{
		{"pair", Example{"ab", "cd"}, 0,
			[]int32{bos, a, b, c, d, eos}, []int32{-1, -1, c, d, eos, -1}},
		{"text: BOS predicts the first token", Example{"", "abd"}, 0,
			[]int32{bos, a, b, d, eos}, []int32{a, b, d, eos, -1}},
		{"cut", Example{"ab", "cd"}, 4,
			[]int32{bos, a, b, c}, []int32{-1, -1, c, -1}},
	})
	if got := Encode(bosEncoder{}, "abc"); !reflect.DeepEqual(got, []int32{bos, a, 1000}) {
		t.Errorf("Encode with BOS: %v", got)
	}
	if got := Encode(byteEncoder{}, "abc"); !reflect.DeepEqual(got, []int32{a, 1000}) {
		t.Errorf("Encode without BOS: %v", got)
	}
}

// TestBOSOfRealTokenizers: Llama-2's template puts <s> (1) first, GPT-2's
// puts nothing, so GPT-2 sequences are as before.
func TestBOSOfRealTokenizers(t *testing.T) {
	llama2, err := tokenizer.Load("../../tests/reference/tokenizer/llama2_tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	gpt2, err := tokenizer.Load("../../tests/reference/gpt2/model")
	if err != nil {
		t.Fatal(err)
	}
	ex := Example{"Hello", " world"}
	s := Tokenize(ex, llama2, 0)
	body := append(llama2.Encode(ex.Prompt), llama2.Encode(ex.Completion)...)
	if s.Tokens[0] != 1 || len(s.Tokens) != len(body)+2 || int(s.Tokens[1]) != body[0] {
		t.Errorf("Llama-2: %v, want <s> (1) then %v then </s>", s.Tokens, body)
	}
	if p := Encode(llama2, "Hello"); p[0] != 1 {
		t.Errorf("Llama-2 prompt %v does not start with <s>", p)
	}
	g := Tokenize(ex, gpt2, 0)
	want := append(gpt2.Encode(ex.Prompt), gpt2.Encode(ex.Completion)...)
	want = append(want, gpt2.EOS())
	for i := range want {
		if len(g.Tokens) != len(want) || int(g.Tokens[i]) != want[i] {
			t.Fatalf("GPT-2: %v, want %v", g.Tokens, want)
		}
	}
}
