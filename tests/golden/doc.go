// Package golden checks the GPT-2 prefix-tuning core against the PyTorch
// reference in tests/reference/gpt2 on every device: logits, losses, prefix
// and MLP gradients, ten AdamW steps, evaluation and cached generation.
package golden
