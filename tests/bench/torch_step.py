"""The PyTorch reference of `make bench` (tests/bench): prefix-tuning steps of a GPT-2-small-shaped model
with random weights on the CPU, the same step as tests/bench/step times on the project's devices.

    /usr/bin/python3 tests/bench/torch_step.py THREADS WARMUP STEPS GENERATE

Prints one JSON line: tokens/s over the timed steps, the step times, the last loss, the speed of greedy
generation of GENERATE new tokens with a key/value cache after the trained prefix, and which BLAS ran the
matmuls (OpenBLAS's configuration, core name and thread count). Exits with status 3 and a message when the
matmuls do not run on OpenBLAS (Debian's python3-torch then uses the slow reference BLAS: apt-get install
libopenblas0-pthread).

The model is GPT-2 written out by hand (as tests/reference/gpt2/make_fixtures.py): frozen weights that need
no gradient, and one trainable PEFT prefix [P, L*2*C] whose keys and values every real token attends to,
so autograd computes activation gradients through the layers the prefix reaches and no weight gradients.
Batch (token i is i*7919 mod V, its target the next such id, all positions real), AdamW (lr 1e-3, weight
decay 0.01, eps 1e-8) and gradient clipping at norm 1 are those of tests/bench/step.
"""

import ctypes
import json
import math
import os
import sys
import time

import torch

L, NH, C, V, NPOS = 12, 12, 768, 50257, 1024
HS = C // NH
B, T, P = 4, 128, 10
GEN_PROMPT = 16
LR, WEIGHT_DECAY, CLIP = 1e-3, 0.01, 1.0
LN_EPS = 1e-5


def openblas():
    """The OpenBLAS library that runs torch's matmuls, or None and the BLAS that does.

    Debian's torch calls the libblas.so.3 that its libtorch_cpu needs, which the alternatives system points
    at OpenBLAS's (openblas-pthread/libblas.so.3, over libopenblasp) or at the reference BLAS; OpenBLAS may
    be loaded beside the latter (as liblapack.so.3) without running any matmul.
    """
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "/" in line})
    blas = [p for p in paths if os.path.basename(p).startswith("libblas.so")]
    lib = [p for p in paths if os.path.basename(p).startswith("libopenblas")]
    if not lib or (blas and "openblas" not in blas[0]):
        return None, blas[0] if blas else "no BLAS library"
    return ctypes.CDLL(lib[0]), lib[0]


def random_weights():
    """GPT-2 weights as GPT-2 initialises them; matrices are [in, out] (Hugging Face's Conv1D)."""
    g = torch.Generator().manual_seed(1)

    def normal(std, *shape):
        return torch.randn(*shape, generator=g) * std

    resid = 0.02 / math.sqrt(2 * L)
    w = {"wte": normal(0.02, V, C), "wpe": normal(0.02, NPOS, C), "lnf_w": torch.ones(C), "lnf_b": torch.zeros(C)}
    w["layers"] = [
        {
            "ln1_w": torch.ones(C), "ln1_b": torch.zeros(C),
            "attn_w": normal(0.02, C, 3 * C), "attn_b": torch.zeros(3 * C),
            "proj_w": normal(resid, C, C), "proj_b": torch.zeros(C),
            "ln2_w": torch.ones(C), "ln2_b": torch.zeros(C),
            "fc_w": normal(0.02, C, 4 * C), "fc_b": torch.zeros(4 * C),
            "fcproj_w": normal(resid, 4 * C, C), "fcproj_b": torch.zeros(C),
        }
        for _ in range(L)
    ]
    return w


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def linear(x, w, b):
    return torch.addmm(b, x, w)


def layer_norm(x, w, b):
    return torch.nn.functional.layer_norm(x, (C,), w, b, LN_EPS)


def loss_of(w, prefix, ids, targets, mask):
    """Mean cross-entropy of next-token targets; the prefix is PEFT's [P, L*2*C] (rows: layer, key/value, head, dim)."""
    past = prefix.view(P, L, 2, NH, HS).permute(1, 2, 3, 0, 4)  # [L, 2, NH, P, HS]
    x = (w["wte"][ids] + w["wpe"][P : P + T]).view(B * T, C)
    for i, lw in enumerate(w["layers"]):
        a = layer_norm(x, lw["ln1_w"], lw["ln1_b"])
        q, k, v = linear(a, lw["attn_w"], lw["attn_b"]).view(B, T, 3, NH, HS).permute(2, 0, 3, 1, 4)
        k = torch.cat([past[i, 0].expand(B, NH, P, HS), k], dim=2)
        v = torch.cat([past[i, 1].expand(B, NH, P, HS), v], dim=2)
        s = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(HS)) + mask
        o = (torch.softmax(s, dim=-1) @ v).permute(0, 2, 1, 3).reshape(B * T, C)
        x = x + linear(o, lw["proj_w"], lw["proj_b"])
        m = gelu_new(linear(layer_norm(x, lw["ln2_w"], lw["ln2_b"]), lw["fc_w"], lw["fc_b"]))
        x = x + linear(m, lw["fcproj_w"], lw["fcproj_b"])
    logits = layer_norm(x, w["lnf_w"], w["lnf_b"]) @ w["wte"].t()
    return torch.nn.functional.cross_entropy(logits, targets)


def generate(w, prefix, prompt, n):
    """Greedy continuation of prompt after the prefix with a key/value cache, n new tokens: the one-token steps
    after the first new token (whose pass also reads the prompt) per second."""
    past = prefix.detach().view(P, L, 2, NH, HS).permute(1, 2, 3, 0, 4)  # [L, 2, NH, P, HS]
    keys, values = [past[i, 0] for i in range(L)], [past[i, 1] for i in range(L)]  # [NH, past, HS]
    ids, pos, stamps = torch.tensor(prompt), P, []
    with torch.no_grad():
        while len(stamps) < n:
            t = len(ids)
            x = w["wte"][ids] + w["wpe"][pos : pos + t]  # [t, C]
            # Each new token sees the cache and the new ones up to itself.
            mask = torch.zeros(t, pos + t)
            mask[:, pos:] = torch.full((t, t), float("-inf")).triu(1)
            for i, lw in enumerate(w["layers"]):
                a = layer_norm(x, lw["ln1_w"], lw["ln1_b"])
                q, k, v = linear(a, lw["attn_w"], lw["attn_b"]).view(t, 3, NH, HS).permute(1, 2, 0, 3)
                keys[i], values[i] = torch.cat([keys[i], k], dim=1), torch.cat([values[i], v], dim=1)
                s = (q @ keys[i].transpose(-1, -2)) * (1.0 / math.sqrt(HS)) + mask
                o = (torch.softmax(s, dim=-1) @ values[i]).permute(1, 0, 2).reshape(t, C)
                x = x + linear(o, lw["proj_w"], lw["proj_b"])
                m = gelu_new(linear(layer_norm(x, lw["ln2_w"], lw["ln2_b"]), lw["fc_w"], lw["fc_b"]))
                x = x + linear(m, lw["fcproj_w"], lw["fcproj_b"])
            logits = layer_norm(x[-1:], w["lnf_w"], w["lnf_b"]) @ w["wte"].t()
            ids, pos = logits.argmax(dim=-1), pos + t
            stamps.append(time.perf_counter())
    return (n - 1) / (stamps[-1] - stamps[0])


def main():
    threads, warmup, steps, gen = (int(a) for a in sys.argv[1:5])
    torch.set_num_threads(threads)
    w = random_weights()
    prefix = torch.nn.Parameter(torch.randn(P, L * 2 * C, generator=torch.Generator().manual_seed(2)) * 0.02)
    ids = torch.tensor([i * 7919 % V for i in range(B * T)]).view(B, T)
    targets = torch.tensor([(i + 1) * 7919 % V for i in range(B * T)])
    # Every real token sees all P prefix positions and the real ones up to itself.
    mask = torch.zeros(T, P + T)
    mask[:, P:] = torch.full((T, T), float("-inf")).triu(1)
    opt = torch.optim.AdamW([prefix], lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=WEIGHT_DECAY)

    w["wte"][:1] @ w["layers"][0]["fc_w"]  # loads the BLAS library
    blas, path = openblas()
    if blas is None:
        print("torch's matmuls run on %s, not OpenBLAS: apt-get install libopenblas0-pthread" % path, file=sys.stderr)
        sys.exit(3)
    blas.openblas_get_corename.restype = ctypes.c_char_p
    blas.openblas_get_config.restype = ctypes.c_char_p
    blas.openblas_set_num_threads(threads)

    times, loss = [], None
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_of(w, prefix, ids, targets, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([prefix], CLIP)
        opt.step()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    prompt = [(i + 1) * 7919 % V for i in range(GEN_PROMPT)]
    generate(w, prefix, prompt, 4)
    gen_rate = generate(w, prefix, prompt, gen) if gen > 1 else None
    print(json.dumps({
        "device": "pytorch-cpu",
        "steps": steps,
        "step_seconds": times,
        "tokens_per_s": B * T * steps / sum(times),
        "best_tokens_per_s": B * T / min(times),
        "loss": loss.item(),
        "gen_tokens_per_s": gen_rate,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "blas": "%s; core %s; %d threads" % (
            blas.openblas_get_config().decode().strip(), blas.openblas_get_corename().decode(),
            blas.openblas_get_num_threads()),
    }))


if __name__ == "__main__":
    main()
