// Package llama holds the browser acceptance test of Llama support: a
// small random Llama model (grouped-query attention, BF16 safetensors, the
// Llama-2 tokenizer.json of tests/reference/tokenizer) written to a temp
// folder is loaded through the page in headless Chromium from local files
// and from a loopback hub; the page must show the Llama architecture and
// keep the weights 16-bit, its first training step must have the loss
// `prefixtune train` gives natively on the same files and options, and
// greedy text streamed by the page and by `prefixtune generate` must both
// be the Llama-2 decode of the generated ids (spaces kept).
//
// Files: model_test.go (the model folder, the site and the native
// command), llama_test.go (the test).
package llama
