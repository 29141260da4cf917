// Package tokenizer owns text <-> token ids: byte-level BPE as GPT-2 uses it,
// loaded from Hugging Face's tokenizer.json or from GPT-2's vocab.json and
// merges.txt, and matching Hugging Face tokenizers id for id.
//
// Encoding follows Hugging Face's pipeline:
//   - added tokens (<|endoftext|> and the like) are cut out of the text
//     first (added.go), leftmost-longest, honouring single_word, lstrip and
//     rstrip; tokens with normalized=false are matched before the others;
//   - each remaining part is split by GPT-2's pre-tokenisation expression,
//     reproduced by a hand scanner because Go's regexp has no look-ahead
//     (pretokenize.go; Unicode classes as Hugging Face's Oniguruma sees them,
//     with unicode16.go filling in what Go's Unicode 15 tables lack);
//   - each pre-token's bytes are merged by rank (bpe.go), working on ids
//     rather than strings, with a cache of recent words.
//
// Decoding concatenates the exact bytes of each id (bytelevel.go): the
// result may be invalid UTF-8 when ids end inside a character, and
// Decode(Encode(s)) == s for any string s when every byte has a token.
//
// Files: tokenizer.go (the Tokenizer and its methods), load.go (file formats),
// build.go (checks and limits shared by both formats). Tests compare with
// tests/reference/tokenizer/gpt2_expected.json, which make_expected.mjs there
// writes with Hugging Face tokenizers on the real GPT-2 vocabulary.
package tokenizer
