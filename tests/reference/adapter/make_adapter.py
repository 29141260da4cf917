#!/usr/bin/python3
"""A PEFT prefix-tuning adapter written as PEFT and safetensors write it.

Writes tiny/adapter_config.json and tiny/adapter_model.safetensors next to
this script, with only the standard library, reproducing byte for byte:

  - PeftConfigMixin.save_pretrained: json.dumps(config.to_dict(), indent=2,
    sort_keys=True), no trailing newline, for the fields of
    PrefixTuningConfig (PeftConfigMixin, PeftConfig, PromptLearningConfig);
  - safetensors.torch.save_file(state_dict, path, metadata={"format": "pt"})
    as PEFT calls it: an 8-byte little-endian header length, compact JSON
    with "__metadata__" first and then each tensor's dtype, shape and
    data_offsets, padded with spaces to a multiple of 8 bytes, then the
    little-endian data.

The single tensor prompt_embeddings has shape
[num_virtual_tokens, num_layers * 2 * token_dim]; its values are
((i * 7919) % 2001 - 1000) / 1024, exact in float32, so the Go test can
rebuild them. core/adapter's tests read these files and check that Encode
produces the same bytes.

  /usr/bin/python3 tests/reference/adapter/make_adapter.py
"""

import json
import os
import struct

VIRTUAL_TOKENS, LAYERS, HEADS, TOKEN_DIM = 5, 2, 4, 64


def config():
    return {
        "auto_mapping": None,
        "base_model_name_or_path": "models/démo-gpt2",
        "encoder_hidden_size": TOKEN_DIM,
        "inference_mode": True,
        "num_attention_heads": HEADS,
        "num_layers": LAYERS,
        "num_transformer_submodules": 1,
        "num_virtual_tokens": VIRTUAL_TOKENS,
        "peft_type": "PREFIX_TUNING",
        "prefix_projection": False,
        "revision": None,
        "task_type": "CAUSAL_LM",
        "token_dim": TOKEN_DIM,
    }


def safetensors_bytes(tensors, metadata):
    """tensors: name -> (dtype, shape, raw little-endian bytes), all F32."""
    header = {"__metadata__": metadata}
    offset = 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    data = b"".join(tensors[name][2] for name in sorted(tensors))
    return struct.pack("<Q", len(text)) + text + data


def main():
    cols = LAYERS * 2 * TOKEN_DIM
    values = [((i * 7919) % 2001 - 1000) / 1024 for i in range(VIRTUAL_TOKENS * cols)]
    raw = struct.pack("<%df" % len(values), *values)
    st = safetensors_bytes({"prompt_embeddings": ("F32", [VIRTUAL_TOKENS, cols], raw)}, {"format": "pt"})

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "adapter_config.json"), "w") as f:
        f.write(json.dumps(config(), indent=2, sort_keys=True))
    with open(os.path.join(out, "adapter_model.safetensors"), "wb") as f:
        f.write(st)


if __name__ == "__main__":
    main()
