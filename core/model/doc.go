// Package model owns the GPT-2 architecture: its Hugging Face config, the
// layout of its parameters and activations on a tensor.Device, loading and
// saving checkpoints, and the forward and backward passes with a prefix.
//
// As in llm.c, all parameters live in one device tensor carved into the
// sixteen GPT-2 tensors (ParamSizes), and all activations of a batch shape
// live in another (ActSizes). Linear weights are stored [OC, C]; Hugging
// Face's GPT-2 Conv1D weights ([C, OC]) are transposed on load and save.
//
// A prefix (or a key/value cache) is P rows of L*2*C floats in PEFT's
// layout: row p, element (2*layer+kv)*C + head*HS + d is the key (kv=0) or
// value (kv=1) of position p in that layer and head. Real tokens then take
// positions P, P+1, ... and see every prefix row.
package model
