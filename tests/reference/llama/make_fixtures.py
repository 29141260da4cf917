"""Writes the PyTorch reference fixtures for Llama prefix-tuning into this folder.

Run from the repository root:  /usr/bin/python3 tests/reference/llama/make_fixtures.py

Needs only torch (Debian's 1.13) and the standard library. The model follows Hugging Face's
modeling_llama (LlamaForCausalLM, eager attention) line by line; the prefix follows PEFT's
PREFIX_TUNING for grouped-query models (token_dim = head_dim * num_key_value_heads). It reuses the
data, tokens and tokenizer of tests/reference/gpt2 (vocabulary 297, EOS 296). See README.md.
The output is deterministic: running the script twice gives byte-identical files.
"""

import json
import math
import shutil
import sys
from functools import partial
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent
GPT2 = OUT.parent / "gpt2"
sys.dont_write_bytecode = True
sys.path.insert(0, str(OUT.parent))
from torchref import (  # noqa: E402  (tests/reference/torchref.py: files, data, loss, training, checks)
    GEN_TOKENS, PREFIX_LEN, PrefixMLP, check_attention, check_grad, deterministic, make_batches,
    reference_generate, reference_mlp, reference_prefix, reference_train, run_settings, write_expected,
    write_json, write_safetensors,
)

VOCAB = 297
EOS = 296
N_POS = 64
MLP_HIDDEN = 16
CLIP = 0.3  # below some gradient norms of every run: clipping is active at some steps, not at others

# The random configurations (README.md describes them).
CONFIGS = {
    "gqa": dict(
        hidden=32, inter=48, layers=2, heads=4, kv_heads=2, head_dim=None, eps=1e-6, theta=10000.0,
        scaling=None, tie=True, dtype="F32",
    ),
    "mqa": dict(
        hidden=24, inter=40, layers=2, heads=3, kv_heads=1, head_dim=10, eps=1e-5, theta=1000.0,
        scaling={"rope_type": "linear", "factor": 2.0}, tie=False, dtype="F16",
    ),
    "llama3": dict(
        hidden=32, inter=64, layers=3, heads=2, kv_heads=2, head_dim=None, eps=1e-5, theta=100.0,
        scaling={"rope_type": "llama3", "factor": 4.0, "low_freq_factor": 1.0, "high_freq_factor": 2.0,
                 "original_max_position_embeddings": 16},
        tie=True, dtype="BF16",
    ),
}


class Cfg:
    def __init__(self, name, d):
        self.name = name
        self.__dict__.update(d)
        self.hs = d["head_dim"] or d["hidden"] // d["heads"]
        self.token_dim = self.hs * self.kv_heads  # PEFT's token_dim for grouped-query models


# ---------------------------------------------------------------- configs


def model_config(c):
    cfg = {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": EOS,
        "eos_token_id": [EOS] if c.name == "llama3" else EOS,
        "hidden_act": "silu",
        "hidden_size": c.hidden,
        "initializer_range": 0.02,
        "intermediate_size": c.inter,
        "max_position_embeddings": N_POS,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": c.heads,
        "num_hidden_layers": c.layers,
        "num_key_value_heads": c.kv_heads,
        "pretraining_tp": 1,
        "rms_norm_eps": c.eps,
        "rope_scaling": c.scaling,
        "rope_theta": c.theta,
        "tie_word_embeddings": c.tie,
        "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[c.dtype],
        "use_cache": True,
        "vocab_size": VOCAB,
    }
    if c.head_dim:
        cfg["head_dim"] = c.head_dim
    return cfg


def adapter_config(c):
    """PEFT's adapter_config.json after _prepare_prompt_learning_config's grouped-query rule."""
    return {
        "base_model_name_or_path": "model",
        "encoder_hidden_size": c.token_dim,
        "inference_mode": True,
        "num_attention_heads": c.kv_heads,
        "num_layers": c.layers,
        "num_transformer_submodules": 1,
        "num_virtual_tokens": PREFIX_LEN,
        "peft_type": "PREFIX_TUNING",
        "prefix_projection": False,
        "task_type": "CAUSAL_LM",
        "token_dim": c.token_dim,
    }


# ---------------------------------------------------------------- model


def random_weights(c):
    """Random Llama weights under Hugging Face's names, rounded to the file's dtype."""
    C, I, NH, KVH, HS = c.hidden, c.inter, c.heads, c.kv_heads, c.hs

    def mat(*shape):
        return torch.randn(*shape) * 0.3

    def norm(n):
        return 1.0 + torch.randn(n) * 0.1

    w = {"model.embed_tokens.weight": torch.randn(VOCAB, C) * 0.3}
    for i in range(c.layers):
        h = "model.layers.%d." % i
        w[h + "input_layernorm.weight"] = norm(C)
        w[h + "self_attn.q_proj.weight"] = mat(NH * HS, C)
        w[h + "self_attn.k_proj.weight"] = mat(KVH * HS, C)
        w[h + "self_attn.v_proj.weight"] = mat(KVH * HS, C)
        w[h + "self_attn.o_proj.weight"] = mat(C, NH * HS)
        w[h + "post_attention_layernorm.weight"] = norm(C)
        w[h + "mlp.gate_proj.weight"] = mat(I, C)
        w[h + "mlp.up_proj.weight"] = mat(I, C)
        w[h + "mlp.down_proj.weight"] = mat(C, I)
    w["model.norm.weight"] = norm(C)
    if not c.tie:
        w["lm_head.weight"] = torch.randn(VOCAB, C) * 0.2
    if c.dtype != "F32":
        half = torch.float16 if c.dtype == "F16" else torch.bfloat16
        w = {k: v.to(half).to(torch.float32) for k, v in w.items()}
    return w


def inv_freq(c):
    """HF's rope init functions (_compute_default / linear / llama3 _rope_parameters), float32."""
    dim = c.hs
    freq = 1.0 / (c.theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    s = c.scaling
    if s is None:
        return freq
    if s["rope_type"] == "linear":
        return freq / s["factor"]
    factor, low, high = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
    old = s["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    wavelen = 2 * math.pi / freq
    llama = torch.where(wavelen > low_wavelen, freq / factor, freq)
    smooth = (old / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * llama / factor + smooth * llama
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, llama)


def rotary(c, positions, dtype):
    """LlamaRotaryEmbedding.forward: cos, sin [1, T, HS] for position_ids [1, T]."""
    freq = inv_freq(c)
    freqs = (freq[None, :, None].float() @ positions[None, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin):
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


def repeat_kv(x, n_rep):
    b, kvh, t, hs = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kvh, n_rep, t, hs).reshape(b, kvh * n_rep, t, hs)


def rms_norm(x, w, eps):
    """LlamaRMSNorm: in float32 (float64 for the self-check), weight times the normalised input cast back."""
    dtype = x.dtype
    h = x.to(torch.promote_types(dtype, torch.float32))
    var = h.pow(2).mean(-1, keepdim=True)
    h = h * torch.rsqrt(var + eps)
    return w * h.to(dtype)


def prefix_past(c, prompt, batch):
    """PEFT get_prompt: [P, L*2*KVH*HS] -> per layer (key, value), each [B, KVH, P, HS]."""
    P = prompt.shape[0]
    past = prompt.unsqueeze(0).expand(batch, -1, -1).reshape(batch, P, c.layers * 2, c.kv_heads, c.hs)
    past = past.permute(2, 0, 3, 1, 4)
    return [(past[2 * i], past[2 * i + 1]) for i in range(c.layers)]


def attention_hf(q, k, v, mask):
    """eager_attention_forward: repeat_kv, q k^T * HS^-0.5 + mask, softmax in float32, @ v.
    (The softmax stays in float64 for the float64 self-check.)"""
    n_rep = q.shape[1] // k.shape[1]
    k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)
    s = (q @ k.transpose(2, 3)) * q.shape[-1] ** -0.5
    s = s + mask
    p = torch.softmax(s, dim=-1, dtype=torch.promote_types(q.dtype, torch.float32)).to(q.dtype)
    return p @ v


def attention_naive(q, k, v, mask):
    """Loop version for the self-check: query head h reads kv head h // (NH/KVH)."""
    B, NH, T, HS = q.shape
    group = NH // k.shape[1]
    out = torch.zeros_like(q)
    for b in range(B):
        for h in range(NH):
            g = h // group
            for i in range(T):
                seen = [j for j in range(k.shape[2]) if mask[b, 0, i, j] == 0]
                s = torch.stack([q[b, h, i] @ k[b, g, j] for j in seen]) / math.sqrt(HS)
                p = torch.softmax(s, dim=0)
                out[b, h, i] = sum(p[n] * v[b, g, j] for n, j in enumerate(seen))
    return out


def forward(c, w, ids, mask, prompt=None, attention=attention_hf):
    """LlamaForCausalLM logits [B, T, V] after an optional PEFT prefix; mask is [B, T] (1 = real)."""
    B, T = ids.shape
    P = 0 if prompt is None else prompt.shape[0]
    past = None if prompt is None else prefix_past(c, prompt, B)
    dtype = w["model.embed_tokens.weight"].dtype
    NH, KVH, HS = c.heads, c.kv_heads, c.hs
    x = w["model.embed_tokens.weight"][ids]
    cos, sin = rotary(c, torch.arange(P, P + T), dtype)
    # The 4D mask: causal over P+T keys (all P past keys visible), padding keys masked.
    full = torch.cat([torch.ones(B, P, dtype=mask.dtype), mask], dim=1)
    keep = torch.tril(torch.ones(P + T, P + T, dtype=torch.bool))[P:, :][None, None] & full.bool()[:, None, None, :]
    add = torch.zeros(keep.shape, dtype=dtype).masked_fill(~keep, torch.finfo(dtype).min)
    for i in range(c.layers):
        h = "model.layers.%d." % i
        a = rms_norm(x, w[h + "input_layernorm.weight"], c.eps)
        q = (a @ w[h + "self_attn.q_proj.weight"].t()).view(B, T, NH, HS).transpose(1, 2)
        k = (a @ w[h + "self_attn.k_proj.weight"].t()).view(B, T, KVH, HS).transpose(1, 2)
        v = (a @ w[h + "self_attn.v_proj.weight"].t()).view(B, T, KVH, HS).transpose(1, 2)
        q, k = apply_rotary_pos_emb(q, k, cos, sin)
        if past is not None:  # DynamicCache.update: past keys (as stored) before the new ones
            k = torch.cat([past[i][0], k], dim=-2)
            v = torch.cat([past[i][1], v], dim=-2)
        o = attention(q, k, v, add).transpose(1, 2).reshape(B, T, NH * HS)
        x = x + o @ w[h + "self_attn.o_proj.weight"].t()
        m = rms_norm(x, w[h + "post_attention_layernorm.weight"], c.eps)
        gate = m @ w[h + "mlp.gate_proj.weight"].t()
        up = m @ w[h + "mlp.up_proj.weight"].t()
        x = x + (torch.nn.functional.silu(gate) * up) @ w[h + "mlp.down_proj.weight"].t()
    x = rms_norm(x, w["model.norm.weight"], c.eps)
    head = w["model.embed_tokens.weight"] if c.tie else w["lm_head.weight"]
    return x @ head.t()


# ---------------------------------------------------------------- self-checks


def check_rope(c):
    """rotate_half with cos/sin equals rotating each pair (i, i+HS/2) by angle pos * inv_freq[i]."""
    x = torch.randn(1, 1, 3, c.hs, dtype=torch.float64)
    cos, sin = rotary(c, torch.arange(7, 10), torch.float64)
    got, _ = apply_rotary_pos_emb(x, x, cos, sin)
    half, freq = c.hs // 2, inv_freq(c).double()
    for t in range(3):
        for i in range(half):
            a = (7 + t) * freq[i]
            re = x[0, 0, t, i] * torch.cos(a) - x[0, 0, t, i + half] * torch.sin(a)
            im = x[0, 0, t, i + half] * torch.cos(a) + x[0, 0, t, i] * torch.sin(a)
            assert abs(got[0, 0, t, i] - re) < 1e-5 and abs(got[0, 0, t, i + half] - im) < 1e-5, "rope pair"


# ---------------------------------------------------------------- main


def make(c, tokens):
    out = OUT / c.name
    w = random_weights(c)
    model = partial(forward, c, w)
    write_json(out / "model" / "config.json", model_config(c))
    write_safetensors(out / "model" / "model.safetensors", w, c.dtype)
    shutil.copyfile(GPT2 / "model" / "tokenizer.json", out / "model" / "tokenizer.json")
    init = torch.randn(PREFIX_LEN, c.layers * 2 * c.token_dim) * 0.5
    write_json(out / "init_adapter" / "adapter_config.json", adapter_config(c))
    write_safetensors(out / "init_adapter" / "adapter_model.safetensors", {"prompt_embeddings": init})

    batches = make_batches(tokens, EOS)
    tensors, scalars = {}, {}
    grad = reference_prefix(model, batches, init, tensors, scalars)
    check_rope(c)
    check_attention(model, attention_naive, batches[0], init, c.name + ": ")
    check_attention(model, attention_naive, batches[2], init, c.name + ": ")
    width = init.shape[1]
    points = [(0, 0), (1, 3), (2, width // 3), (3, width // 2 + 1), (4, width - 1)]
    check_grad(partial(forward, c, {k: v.double() for k, v in w.items()}), batches[0], init, grad, points)

    reference_train(model, batches, init, CLIP, "train.", tensors, scalars)
    reference_mlp(model, batches, PrefixMLP(c.token_dim, MLP_HIDDEN, c.layers), CLIP, tensors, scalars)
    reference_generate(model, tokens[0][0], init, scalars)

    scalars["settings"] = {
        **run_settings(MLP_HIDDEN, CLIP),
        "eos_id": EOS,
        "generate.new_tokens": GEN_TOKENS,
    }
    write_expected(out, tensors, scalars)


def main():
    deterministic(4321)
    tokens = [(t["prompt"], t["completion"]) for t in json.loads((GPT2 / "data_tokens.json").read_text())]
    for name, d in CONFIGS.items():
        make(Cfg(name, d), tokens)


if __name__ == "__main__":
    main()
