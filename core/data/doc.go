// Package data owns the training data of Prefixtune: reading a user's file
// into Examples, tokenising them into Sequences, packing Sequences into
// Batches, the reproducible order in which a run visits them, and the
// train/validation split.
//
// # Files
//
// Read picks the format from the file extension (FormatOf); Parse reads
// any io.Reader, which is how the browser engine reads a posted File.
//
//   - JSONL (.jsonl, .json, .ndjson): one JSON object per line, either
//     {"prompt": ..., "completion": ...} or {"text": ...}. Other keys are
//     ignored, a null value counts as missing, blank lines are skipped. A
//     file holding one JSON array is rejected with advice to write JSON
//     Lines.
//   - CSV (.csv): RFC 4180, comma-separated, with a header row. Quoted
//     fields may hold commas, doubled quotes and newlines. Rows whose fields
//     are all blank (spreadsheet leftovers) are skipped. Header names match
//     case-insensitively, ignoring surrounding spaces.
//   - Text (.txt, .text): one example per paragraph; paragraphs are
//     separated by one or more blank (or whitespace-only) lines. The lines of
//     a paragraph are joined with "\n". A paragraph longer than the model's
//     context is truncated by Tokenize (its beginning is kept), not split.
//
// Options names the columns (CSV header names, and JSONL keys). With none
// named, a row holds a pair when it has "prompt" and "completion", and text
// when it has "text". Naming TextColumn alone selects text; naming
// PromptColumn or CompletionColumn selects pairs (the other keeps its
// default name).
//
// In every format a UTF-8 byte order mark is skipped, CRLF line ends are
// read as LF, text must be UTF-8 (UTF-16 files are refused with advice), a
// completion or text must not be blank, and no physical line may exceed
// Options.MaxLineBytes. Errors are *Error values that name the file, the
// line and the problem, and say what to do.
//
// # Sequences and batches
//
// Tokenize encodes the prompt and the completion separately and appends
// the end-of-sequence token: tokens = [BOS] + enc(prompt) + enc(completion)
// + [EOS], cut to the first T tokens. BOS is there only for a tokenizer
// whose template puts one before every text (Llama-2's <s>; BOS says, and
// Encode writes generation prompts the same way); GPT-2 has none. Targets are next tokens, or -1 where the next
// token is a prompt token or there is no next token. A text example is a
// pair with an empty prompt, so every next token is a target.
//
// A Batch is laid out [B,T] row-major (row b, position t at b*T+t), right
// padded to its longest sequence; padding holds the pad token (EOS), Valid
// 0 and target -1. Real tokens have Valid 1. (The model runs a batch
// packed, so its padding costs no work.)
//
// # Order
//
// Epoch e visits the examples in Order(n, shuffle, seed, e): file order, or
// a Fisher-Yates permutation drawn from a PCG (math/rand/v2, seeded with
// seed and e) through an unbiased bounded draw written here, so the order
// depends on nothing but (n, seed, e), not on math/rand's global state, its
// helpers, or the Go version. An epoch has ceil(n/B) steps; optimiser step s
// belongs to epoch s/ceil(n/B) and takes the next B positions of that
// epoch's order, so the last step of an epoch is short when B does not
// divide n (as a PyTorch DataLoader without drop_last). Every example is
// seen exactly once per epoch, and a run resumes at any step from the step
// number alone (Loader).
package data
