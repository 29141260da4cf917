// Package tokenizer owns text <-> token ids: BPE as the GPT-2 and Llama
// families use it, loaded from Hugging Face's tokenizer.json or from
// GPT-2's vocab.json and merges.txt, and matching Hugging Face tokenizers id
// for id. Two kinds of BPE are supported:
//   - byte-level BPE (GPT-2, SmolLM2, Llama-3): words are bytes, spelled in
//     the vocabulary as byte-level characters ("Ġthe");
//   - SentencePiece-style BPE (Llama-2, TinyLlama): words are text with
//     spaces as "▁", characters missing from the vocabulary fall back to
//     their bytes' <0xNN> tokens.
//
// Encoding follows Hugging Face's pipeline:
//   - added tokens (<|endoftext|>, <s> and the like) are cut out of the text
//     first (added.go), leftmost-longest, honouring single_word, lstrip and
//     rstrip; tokens with normalized=false are matched in the text as given,
//     the others in the normalized text;
//   - each remaining part is normalized (pipeline.go: Prepend and Replace,
//     Llama-2's "▁" metaspace) and cut by the pre-tokenizer's stages: GPT-2's
//     expression, reproduced by a hand scanner because Go's regexp has no
//     look-ahead (pretokenize.go; Unicode classes as Hugging Face's Oniguruma
//     sees them, with unicode16.go filling in what Go's Unicode 15 tables
//     lack), Digits, Metaspace, and Split with an Oniguruma expression such
//     as Llama-3's, translated for Go's regexp (splitregex.go);
//   - each piece is merged by rank (bpe.go), working on ids rather than
//     strings, with a cache of recent words.
//
// Encode adds no token around the text. BOS and Template report what the
// tokenizer's post-processor would add (Llama-2's <s>), for the data code to
// put in itself.
//
// Decoding runs the decoder's steps on each token (decoder.go: ByteLevel,
// Replace, ByteFallback, Metaspace, Strip), joins them, then the steps after
// the join (Llama-2 drops the text's leading space). The result keeps the
// exact bytes where Hugging Face writes U+FFFD, so ids that end inside a
// character decode to invalid UTF-8, and decoding generated ids one at a
// time (DecodeContinuation) concatenates to the whole text.
//
// Files: tokenizer.go (the Tokenizer and its methods), load.go (file
// formats), components.go (the normalizer, pre-tokenizer, decoder and
// post-processor of a tokenizer.json, and errors for those not supported),
// build.go (checks and limits shared by both formats), trainbpe.go (a
// byte-level BPE trainer). Tests compare with the outputs of Hugging Face
// tokenizers written by the scripts in tests/reference/tokenizer:
// gpt2_expected.json (make_expected.mjs, the real GPT-2 vocabulary),
// llama_expected.json (make_llama_expected.mjs, the real Llama-2 vocabulary
// in llama2_tokenizer.json) and bytelevel_expected.json (SmolLM2's and
// Llama-3's byte-level settings on the GPT-2 vocabulary, as no SmolLM2 or
// Llama-3 vocabulary is available offline).
package tokenizer
