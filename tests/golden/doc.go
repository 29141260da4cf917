// Package golden checks the prefix-tuning core against the PyTorch
// references on every device: the GPT-2 model of tests/reference/gpt2 and
// the Llama models of tests/reference/llama (grouped and multi-query
// attention, tied and untied heads, rope scalings, F32/F16/BF16 weights):
// logits, losses, prefix and MLP gradients, ten AdamW steps and cached
// generation.
package golden
