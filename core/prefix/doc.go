// Package prefix owns the trainable prefix of prefix-tuning: its
// parameters, the optional MLP reparameterisation, and initialisation.
//
// A prefix has P rows of L*2*D floats (D = HS*KVH, PEFT's token_dim) in
// PEFT's layout (see package model); this is PEFT's prompt_embeddings and
// what an adapter file holds.
// Trainable floats live in one device tensor, Params, so the optimiser
// and gradient clipping see a single vector:
//
//   - direct:        Params = rows [P, L*2*D]
//   - reparametrised (PEFT prefix_projection): Params = embedding [P,D],
//     w1 [E,D], b1 [E], w2 [L*2*D,E], b2 [L*2*D] (torch.nn.Linear layout),
//     and rows = tanh(embedding @ w1^T + b1) @ w2^T + b2 are computed by
//     Rows. Only the rows are exported; the MLP is dropped.
package prefix
