// Package adapter reads and writes prefix-tuning adapters in the format of
// Hugging Face PEFT (peft_type "PREFIX_TUNING"), so that a prefix trained
// here loads with PeftModel.from_pretrained and a PEFT prefix loads here.
//
// An adapter is a directory of two files:
//
//	adapter_config.json        the PrefixTuningConfig fields, written as
//	                           PEFT writes them (json.dumps with indent=2,
//	                           sorted keys, ASCII escapes, no final newline)
//	adapter_model.safetensors  one F32 tensor "prompt_embeddings" of shape
//	                           [num_virtual_tokens, num_layers*2*token_dim],
//	                           header metadata {"format":"pt"}
//
// Row p of prompt_embeddings holds virtual token p; element
// ((2*layer + kv)*H + head)*HS + d is the key (kv=0) or value (kv=1) of
// layer layer, head head, dimension d, with H = num_attention_heads and
// HS = token_dim/H. With the reparameterisation MLP the tensor is the MLP's
// output; the MLP itself is not saved, so written configs say
// prefix_projection false. Reading accepts prefix_projection true as well:
// PEFT saves the same projected tensor either way.
//
// Only safetensors weights are supported; PEFT's older pickled
// adapter_model.bin is refused with a message saying so. Keys that newer
// PEFT versions add to the config are ignored on read, as PEFT ignores
// unknown keys; auto_mapping (a custom base-model class) is ignored on read
// and written as null.
//
// Write and Read work on a directory; Encode and Decode work on bytes, for
// the browser, which has no file system.
package adapter
