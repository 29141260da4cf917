// Package model owns the two model families Prefixtune runs, GPT-2 and
// Llama (Hugging Face's GPT2LMHeadModel and LlamaForCausalLM), as one
// Model type: their Hugging Face configs, the layout of their parameters
// and activations on a tensor.Device, loading and saving checkpoints, the
// forward and backward passes with a prefix, and generation with a
// key/value cache. Code outside the package does not know the family.
//
// As in llm.c, all parameters live in one device tensor carved into
// seventeen tensors (ParamSizes; a family's missing ones are empty), and
// all activations of a batch shape live in another (ActSizes). Linear
// weights are stored [OC, C]; Hugging Face's GPT-2 Conv1D weights ([C, OC])
// are transposed on load and save. A Llama layer's q_proj, k_proj and
// v_proj are stacked into one [(NH+2*KVH)*HS, C] weight and its gate_proj
// and up_proj into one [2I, C] weight, so one Matmul feeds attention and
// one feeds SwiGLU. A checkpoint whose matrices are all F16 (or all BF16)
// keeps them 16-bit on the device (frozen; the kernels widen them exactly).
//
// A batch is B right-padded sequences [B,T], but the activations hold it
// packed (packing.go): each sequence's positions through its last real
// token or output position, end to end, and no padding after them. Ops
// that work row by row run on those rows only; the encoder, RoPE and
// attention run once per span of consecutive sequences of one length.
// The arena is sized for the most rows and output positions a batch of
// the run can have (Shape.N and Shape.H; B*T when not given). With the
// weights frozen (prefix-tuning, evaluation, generation) Backward needs of
// a layer only what its norms, attention and activation function read, so
// the inputs and outputs of its matrix products take one layer's room that
// every layer reuses; Shape.Weights keeps them per layer for pretraining.
//
// Llama differs from GPT-2 in: RMSNorm for LayerNorm, no biases, no
// position embedding but rotary ones on queries and keys (tables computed
// once per model in float64 from Hugging Face's inv_freq, with the linear
// and llama3 scalings), SwiGLU for GELU, grouped-query attention (KVH
// key/value heads shared by NH query heads), an optional untied lm_head.
//
// A prefix (or a key/value cache) is P rows of L*2*D floats, D = HS*KVH
// (PEFT's token_dim; n_embd for GPT-2), in PEFT's layout: row p, element
// ((2*layer+kv)*KVH + head)*HS + d is the key (kv=0) or value (kv=1) of
// position p in that layer and key/value head. For grouped-query models
// this is what PEFT builds since its "grouped-query attention, see #1901"
// rule in _prepare_prompt_learning_config (peft/utils/other.py, PEFT
// 0.12): token_dim = hidden/NH*KVH and num_attention_heads = KVH (and the
// MLP's encoder_hidden_size defaults to that token_dim). Llama prefix keys
// are used as stored (they live in rotated space); real tokens take
// positions P, P+1, ... and see every prefix row. The cache of generation
// holds rotated keys the same way.
package model
