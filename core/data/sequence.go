package data

// Encoder turns text into token ids; a tokenizer implements it.
type Encoder interface {
	Encode(text string) []int
	EOS() int
}

// Sequence is one tokenised example. Targets[t] is the token that position
// t must predict, or -1 when position t carries no loss.
type Sequence struct {
	Tokens  []int32
	Targets []int32
}

// Tokenize encodes ex as enc(Prompt) + enc(Completion) + [EOS], keeping the
// first T tokens (all of them when T <= 0). Targets[t] = Tokens[t+1] when
// position t+1 holds a completion or EOS token, else -1; the last position's
// target is -1. A prompt of T tokens or more leaves no targets.
func Tokenize(ex Example, enc Encoder, T int) Sequence {
	prompt := enc.Encode(ex.Prompt)
	completion := enc.Encode(ex.Completion)
	tokens := make([]int32, 0, len(prompt)+len(completion)+1)
	for _, id := range prompt {
		tokens = append(tokens, int32(id))
	}
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
