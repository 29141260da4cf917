"""Writes the PyTorch reference fixtures for GPT-2 prefix-tuning into this folder.

Run from the repository root:  /usr/bin/python3 tests/reference/gpt2/make_fixtures.py

Needs only torch (Debian's 1.13) and the standard library. The GPT-2 model mirrors Hugging Face's
GPT2LMHeadModel, the prefix mirrors PEFT's PREFIX_TUNING (see README.md for the conventions).
The output is deterministic: running the script twice gives byte-identical files.
"""

import json
import math
import re
import sys
from collections import Counter
from functools import partial
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(OUT.parent))
from torchref import (  # noqa: E402  (tests/reference/torchref.py: files, data, loss, training, checks)
    BATCH, GEN_TOKENS, PREFIX_LEN, SEQ_LEN, STEPS, PrefixMLP, check_attention, check_grad, collate,
    count_targets, deterministic, make_batches, make_rows, reference_generate, reference_mlp, reference_prefix,
    reference_train, run_settings, shifted_loss, write_expected, write_json, write_safetensors,
)

# Model and run settings (README.md documents them; the shared ones are in torchref).
N_LAYER, N_HEAD, N_EMBD, N_POS = 2, 4, 64, 64
HEAD_SIZE = N_EMBD // N_HEAD
LN_EPS = 1e-5
N_MERGES = 40
MLP_HIDDEN = 32
CLIP = 1.0
SMALL_CLIP = 0.1  # a second prefix run where clipping is active at every step

ROWS = [
    ("name[Aromi] food[Chinese]", " Aromi serves Chinese food."),
    ("name[Cotto]", " Cotto is good."),
    ("name[Aromi] food[Italian]", " Aromi's food is good."),
    ("name[Cotto] food[Chinese]", " Cotto serves Chinese food."),
    ("name[Aromi]", " Aromi serves Chinese food, it's 5 of 5 good."),
    ("name[Cotto] food[Italian]", " Cotto serves good Italian food."),
]


# ---------------------------------------------------------------- tokenizer


def bytes_to_unicode():
    """GPT-2's byte -> printable unicode character table, in GPT-2's order (id i is entry i)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [(b, chr(c)) for b, c in zip(bs, cs)]


BYTE_ORDER = bytes_to_unicode()
BYTE_CHAR = dict(BYTE_ORDER)

# GPT-2's pre-tokenizer pattern with \p{L} and \p{N} restricted to ASCII (the data is ASCII).
PRETOKEN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def pretokenize(text):
    """Splits text as GPT-2 does and maps every word to its byte-level characters."""
    assert text.isascii(), "fixture text must be ASCII"
    return ["".join(BYTE_CHAR[b] for b in w.encode()) for w in PRETOKEN.findall(text)]


def learn_merges(texts, n):
    """Greedy BPE training: merge the most frequent adjacent pair, ties to the smallest pair."""
    words = Counter(w for t in texts for w in pretokenize(t))
    split = {w: list(w) for w in words}
    merges = []
    for _ in range(n):
        pairs = Counter()
        for w, c in words.items():
            s = split[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for w in words:
            split[w] = merge_pair(split[w], best)
    return merges


def merge_pair(symbols, pair):
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def bpe_word(word, ranks):
    """GPT-2 BPE of one pre-token: repeatedly merge the lowest-ranked pair present."""
    symbols = list(word)
    while len(symbols) > 1:
        pairs = [(ranks.get(p, math.inf), p) for p in zip(symbols, symbols[1:])]
        rank, pair = min(pairs)
        if rank == math.inf:
            break
        symbols = merge_pair(symbols, pair)
    return symbols


def encode(text, vocab, ranks):
    return [vocab[s] for w in pretokenize(text) for s in bpe_word(w, ranks)]


def build_tokenizer():
    texts = [t for row in ROWS for t in row]
    merges = learn_merges(texts, N_MERGES)
    vocab = {ch: i for i, (_, ch) in enumerate(BYTE_ORDER)}
    for a, b in merges:
        assert a + b not in vocab, "merge produced an existing token; change the data"
        vocab[a + b] = len(vocab)
    eos = len(vocab)
    vocab["<|endoftext|>"] = eos
    ranks = {p: i for i, p in enumerate(merges)}
    return vocab, merges, ranks, eos


def tokenizer_json(vocab, merges, eos):
    bytelevel = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": eos,
                "content": "<|endoftext|>",
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": True,
                "special": True,
            }
        ],
        "normalizer": None,
        "pre_tokenizer": bytelevel,
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "vocab": vocab,
            "merges": [a + " " + b for a, b in merges],
        },
    }


# ---------------------------------------------------------------- configs


def model_config(vocab_size, eos):
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.0,
        "bos_token_id": eos,
        "embd_pdrop": 0.0,
        "eos_token_id": eos,
        "initializer_range": 0.02,
        "layer_norm_epsilon": LN_EPS,
        "model_type": "gpt2",
        "n_ctx": N_POS,
        "n_embd": N_EMBD,
        "n_head": N_HEAD,
        "n_inner": None,
        "n_layer": N_LAYER,
        "n_positions": N_POS,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.0,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def adapter_config():
    return {
        "base_model_name_or_path": "model",
        "encoder_hidden_size": N_EMBD,
        "inference_mode": True,
        "num_attention_heads": N_HEAD,
        "num_layers": N_LAYER,
        "num_transformer_submodules": 1,
        "num_virtual_tokens": PREFIX_LEN,
        "peft_type": "PREFIX_TUNING",
        "prefix_projection": False,
        "task_type": "CAUSAL_LM",
        "token_dim": N_EMBD,
    }


# ---------------------------------------------------------------- model


def random_weights(vocab_size):
    """Random GPT-2 weights under Hugging Face's names (Conv1D weights are [in, out])."""
    C = N_EMBD

    def mat(*shape):
        return torch.randn(*shape) * 0.1

    def small(n):
        return torch.randn(n) * 0.02

    def norm(n):
        return 1.0 + torch.randn(n) * 0.1

    w = {"transformer.wte.weight": mat(vocab_size, C), "transformer.wpe.weight": mat(N_POS, C)}
    for i in range(N_LAYER):
        h = "transformer.h.%d." % i
        w[h + "ln_1.weight"], w[h + "ln_1.bias"] = norm(C), small(C)
        w[h + "attn.c_attn.weight"], w[h + "attn.c_attn.bias"] = mat(C, 3 * C), small(3 * C)
        w[h + "attn.c_proj.weight"], w[h + "attn.c_proj.bias"] = mat(C, C), small(C)
        w[h + "ln_2.weight"], w[h + "ln_2.bias"] = norm(C), small(C)
        w[h + "mlp.c_fc.weight"], w[h + "mlp.c_fc.bias"] = mat(C, 4 * C), small(4 * C)
        w[h + "mlp.c_proj.weight"], w[h + "mlp.c_proj.bias"] = mat(4 * C, C), small(C)
    w["transformer.ln_f.weight"], w["transformer.ln_f.bias"] = norm(C), small(C)
    return w


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def conv1d(x, w, b):
    return (x.reshape(-1, x.shape[-1]) @ w + b).reshape(*x.shape[:-1], w.shape[1])


def layer_norm(x, w, b):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, LN_EPS)


def prefix_past(prompt, batch):
    """PEFT get_prompt: [P, L*2*C] -> per layer (key, value), each [B, NH, P, HS]."""
    P = prompt.shape[0]
    past = prompt.unsqueeze(0).expand(batch, -1, -1).reshape(batch, P, N_LAYER * 2, N_HEAD, HEAD_SIZE)
    past = past.permute(2, 0, 3, 1, 4)
    return [(past[2 * i], past[2 * i + 1]) for i in range(N_LAYER)]


def attention_hf(q, k, v, keep, pad_add):
    """HF GPT2Attention._attn: scores / sqrt(HS), causal fill with finfo.min, plus the padding mask."""
    s = q @ k.transpose(-1, -2)
    s = s / torch.full([], v.shape[-1] ** 0.5, dtype=s.dtype)
    s = torch.where(keep, s, torch.tensor(torch.finfo(s.dtype).min, dtype=s.dtype))
    s = s + pad_add
    return torch.softmax(s, dim=-1) @ v


def attention_naive(q, k, v, keep, pad_add):
    """Loop version for the self-check: each query, softmax over the keys it may see."""
    B, H, T, _ = q.shape
    out = torch.zeros_like(q)
    for b in range(B):
        for h in range(H):
            for i in range(T):
                seen = [j for j in range(k.shape[2]) if keep[0, 0, i, j] and pad_add[b, 0, 0, j] == 0]
                s = torch.stack([q[b, h, i] @ k[b, h, j] for j in seen]) / math.sqrt(q.shape[-1])
                p = torch.softmax(s, dim=0)
                out[b, h, i] = sum(p[n] * v[b, h, j] for n, j in enumerate(seen))
    return out


def forward(w, ids, mask, prompt=None, attention=attention_hf):
    """GPT2LMHeadModel logits [B, T, V] with an optional PEFT prefix; mask is [B, T] (1 = real)."""
    B, T = ids.shape
    P = 0 if prompt is None else prompt.shape[0]
    past = None if prompt is None else prefix_past(prompt, B)
    dtype = w["transformer.wte.weight"].dtype
    pos = torch.arange(P, P + T)
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][pos]
    full = torch.cat([torch.ones(B, P, dtype=mask.dtype), mask], dim=1).to(dtype)
    pad_add = ((1.0 - full) * torch.finfo(dtype).min)[:, None, None, :]
    keep = torch.tril(torch.ones(P + T, P + T, dtype=torch.bool))[P:, :][None, None]
    for i in range(N_LAYER):
        h = "transformer.h.%d." % i
        a = layer_norm(x, w[h + "ln_1.weight"], w[h + "ln_1.bias"])
        q, k, v = conv1d(a, w[h + "attn.c_attn.weight"], w[h + "attn.c_attn.bias"]).split(N_EMBD, dim=2)
        q, k, v = [t.reshape(B, T, N_HEAD, HEAD_SIZE).permute(0, 2, 1, 3) for t in (q, k, v)]
        if past is not None:
            k = torch.cat([past[i][0], k], dim=-2)
            v = torch.cat([past[i][1], v], dim=-2)
        o = attention(q, k, v, keep, pad_add).permute(0, 2, 1, 3).reshape(B, T, N_EMBD)
        x = x + conv1d(o, w[h + "attn.c_proj.weight"], w[h + "attn.c_proj.bias"])
        m = layer_norm(x, w[h + "ln_2.weight"], w[h + "ln_2.bias"])
        m = gelu_new(conv1d(m, w[h + "mlp.c_fc.weight"], w[h + "mlp.c_fc.bias"]))
        x = x + conv1d(m, w[h + "mlp.c_proj.weight"], w[h + "mlp.c_proj.bias"])
    x = layer_norm(x, w["transformer.ln_f.weight"], w["transformer.ln_f.bias"])
    return x @ w["transformer.wte.weight"].t()


# ---------------------------------------------------------------- main


def reference_batch0(w, batches, init, tensors, scalars):
    """Batch 0 as fed, its logits without and with the prefix, the loss and d loss / d prompt_embeddings;
    the self-checks of attention (padded and truncated batches) and of the gradient."""
    model = partial(forward, w)
    ids, mask, labels = batches[0]
    scalars["batch0.rows"] = [0, 1]
    scalars["batch0.input_ids"] = ids.tolist()
    scalars["batch0.attention_mask"] = mask.tolist()
    scalars["batch0.labels"] = labels.tolist()
    scalars["batch0.n_tokens"] = count_targets(labels)
    grad = reference_prefix(model, batches, init, tensors, scalars)
    check_attention(model, attention_naive, batches[0], init)
    check_attention(model, attention_naive, batches[2], init)
    model64 = partial(forward, {k: v.double() for k, v in w.items()})
    check_grad(model64, batches[0], init, grad, [(0, 0), (1, 17), (2, 64), (3, 130), (4, 255), (0, 200)])


@torch.no_grad()
def reference_eval(model, tokens, eos, init, prompt_ids, scalars):
    """Pooled target-token loss over all rows (eval: rows whole; eval_seq16: cut to 16), and greedy decoding."""
    for name, seq_len in (("eval", N_POS - PREFIX_LEN), ("eval_seq16", SEQ_LEN)):
        ids, mask, labels = collate(make_rows(tokens, eos, seq_len), eos)
        for tag, prompt in (("", init), (".base", None)):
            total = shifted_loss(model(ids, mask, prompt), labels, reduction="sum").item()
            n = count_targets(labels)
            scalars[name + tag + ".loss"] = total / n
            scalars[name + tag + ".perplexity"] = math.exp(total / n)
            scalars[name + tag + ".n_tokens"] = n
    reference_generate(model, prompt_ids, init, scalars)


def main():
    deterministic(1234)

    vocab, merges, ranks, eos = build_tokenizer()
    V = len(vocab)
    write_json(OUT / "model" / "tokenizer.json", tokenizer_json(vocab, merges, eos))
    write_json(OUT / "model" / "config.json", model_config(V, eos))
    tokens = [(encode(p, vocab, ranks), encode(c, vocab, ranks)) for p, c in ROWS]
    (OUT / "data.jsonl").write_text("".join(json.dumps({"prompt": p, "completion": c}) + "\n" for p, c in ROWS))
    write_json(OUT / "data_tokens.json", [{"prompt": p, "completion": c} for p, c in tokens])

    w = random_weights(V)
    model = partial(forward, w)
    write_safetensors(OUT / "model" / "model.safetensors", w)
    init = torch.randn(PREFIX_LEN, N_LAYER * 2 * N_EMBD) * 0.5
    write_json(OUT / "init_adapter" / "adapter_config.json", adapter_config())
    write_safetensors(OUT / "init_adapter" / "adapter_model.safetensors", {"prompt_embeddings": init})

    batches = make_batches(tokens, eos)
    tensors, scalars = {}, {}
    reference_batch0(w, batches, init, tensors, scalars)
    reference_eval(model, tokens, eos, init, tokens[0][0], scalars)
    # Ten steps on prompt_embeddings directly (lr 0.01), with clip 1.0 and again with clip 0.1.
    reference_train(model, batches, init, CLIP, "train.", tensors, scalars)
    reference_train(model, batches, init, SMALL_CLIP, "train_clip.", tensors, scalars)
    scalars["train.rows"] = [[(s % len(batches)) * BATCH + j for j in range(BATCH)] for s in range(STEPS)]
    mlp = PrefixMLP(N_EMBD, MLP_HIDDEN, N_LAYER)
    reference_mlp(model, batches, mlp, CLIP, tensors, scalars)
    tensors.update({k: v.detach().clone() for k, v in mlp.tensors("mlp.final.").items()})
    scalars["settings"] = {
        **run_settings(MLP_HIDDEN, CLIP),
        "train_clip.clip": SMALL_CLIP,
        "eos_id": eos,
        "vocab_size": V,
        "generate.new_tokens": GEN_TOKENS,
    }
    write_expected(OUT, tensors, scalars)


if __name__ == "__main__":
    main()
