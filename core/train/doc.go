// Package train owns the prefix-tuning loop: AdamW with torch semantics on
// the prefix's single parameter vector, global gradient-norm clipping as
// torch.nn.utils.clip_grad_norm_, Hugging Face learning-rate schedules, and
// the mean target-token loss.
//
// Optimiser state (m, v) lives on the device beside the parameters, with
// the same layout as prefix.Prefix.Params.
package train
