package data

// Encoder turns text into token ids; a tokenizer implements it.
type Encoder interface {
	Encode(text string) []int
	EOS() int
}

// BOS returns the id enc's model reads before every text (Llama-2's <s>),
// or -1 when there is none (GPT-2, SmolLM2): an Encoder that has a
// BOS() int method, as a tokenizer does, says which.
func BOS(enc Encoder) int {
	if b, ok := enc.(interface{ BOS() int }); ok {
		return b.BOS()
	}
	return -1
}

// Encode returns the ids a model reads text as: enc's ids after BOS when
// enc has one, as Hugging Face's tokenizer(text) gives them. Generation
// prompts are encoded with it.
func Encode(enc Encoder, text string) []int32 {
	ids := enc.Encode(text)
	out := make([]int32, 0, len(ids)+1)
	if bos := BOS(enc); bos >= 0 {
		out = append(out, int32(bos))
	}
	for _, id := range ids {
		out = append(out, int32(id))
	}
	return out
}

// Sequence is one tokenised example. Targets[t] is the token that position
// t must predict, or -1 when position t carries no loss.
type Sequence struct {
	Tokens  []int32
	Targets []int32
}

// NumTargets counts the positions of s that have a target.
func (s Sequence) NumTargets() int {
	n := 0
	for _, t := range s.Targets {
		if t >= 0 {
			n++
		}
	}
	return n
}

// Tokenize encodes ex as [BOS] + enc(Prompt) + enc(Completion) + [EOS]
// (BOS only when enc has one, see BOS), keeping the first T tokens (all of
// them when T <= 0). Targets[t] = Tokens[t+1] when position t+1 holds a
// completion or EOS token, else -1; the last position's target is -1. A
// prompt of T tokens or more leaves no targets.
func Tokenize(ex Example, enc Encoder, T int) Sequence {
	prompt := Encode(enc, ex.Prompt)
	completion := enc.Encode(ex.Completion)
	tokens := make([]int32, 0, len(prompt)+len(completion)+1)
	tokens = append(tokens, prompt...)
	for _, id := range completion {
		tokens = append(tokens, int32(id))
	}
	tokens = append(tokens, int32(enc.EOS()))
	if T > 0 && len(tokens) > T {
		tokens = tokens[:T]
	}
	targets := make([]int32, len(tokens))
	for t := range targets {
		targets[t] = -1
		if t+1 < len(tokens) && t+1 >= len(prompt) {
			targets[t] = tokens[t+1]
		}
	}
	return Sequence{Tokens: tokens, Targets: targets}
}
