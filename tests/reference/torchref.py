"""The parts of the PyTorch fixture scripts that do not depend on the model.

gpt2/make_fixtures.py and llama/make_fixtures.py import this file by path; each keeps its own
model (weights, forward, attention, prefix layout, configs). Here: the file writers, the rows,
batches and loss of `prefixtune train`, its training loop (AdamW, linear warm-up schedule,
clipping), greedy decoding, PEFT's MLP reparameterisation, the self-checks and the reference runs
both scripts record. A `model` below is the script's forward with its weights bound:
model(ids, mask, prompt=None, attention=...) -> logits [B, T, V]. The conventions are in
gpt2/README.md. Needs only torch (Debian's 1.13) and the standard library.
"""

import json
import struct

import torch

# The run both fixtures follow (gpt2/README.md): prefix length, rows cut to SEQ_LEN tokens in
# batches of BATCH, STEPS steps of AdamW with WARMUP warm-up steps, GEN_TOKENS greedy tokens.
PREFIX_LEN = 5
SEQ_LEN = 16
BATCH = 2
STEPS = 10
WARMUP = 2
LR = 0.01
MLP_LR = 0.001
WEIGHT_DECAY = 0.01
GEN_TOKENS = 8


def deterministic(seed):
    """Seeds torch and keeps it on one thread with deterministic algorithms."""
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------- files


def to_json(obj, indent=""):
    """JSON with one key per line and lists of scalars kept on one line."""
    inner = indent + "  "
    if isinstance(obj, dict) and obj:
        items = ["%s%s: %s" % (inner, json.dumps(k, ensure_ascii=False), to_json(v, inner)) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + to_json(v, inner) for v in obj) + "\n" + indent + "]"
    return json.dumps(obj, separators=(", ", ": "), ensure_ascii=False)


def write_json(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_json(obj) + "\n", encoding="utf-8")


def tensor_bytes(t, dtype):
    """The little-endian bytes of t as F32, F16 or BF16."""
    if dtype == "F32":
        t = t.detach().to(torch.float32).contiguous()
        return struct.pack("<%df" % t.numel(), *t.flatten().tolist())
    t = t.detach().to(torch.float16 if dtype == "F16" else torch.bfloat16).contiguous()
    return struct.pack("<%dh" % t.numel(), *t.view(torch.int16).flatten().tolist())


def write_safetensors(path, tensors, dtype="F32"):
    """Writes tensors as the safetensors library does: sorted names, header padded to 8 bytes."""
    header = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t, dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def run_settings(mlp_hidden, clip):
    """The start of expected.json's settings: the run above with the script's MLP width and clip."""
    return {
        "prefix_len": PREFIX_LEN,
        "seq_len": SEQ_LEN,
        "batch_size": BATCH,
        "steps": STEPS,
        "warmup": WARMUP,
        "schedule": "linear",
        "lr": LR,
        "mlp.lr": MLP_LR,
        "mlp.hidden": mlp_hidden,
        "weight_decay": WEIGHT_DECAY,
        "clip": clip,
    }


def write_expected(out, tensors, scalars):
    """expected.safetensors and expected.json (sorted keys, plus the shape of every tensor)."""
    scalars["shapes"] = {k: list(v.shape) for k, v in sorted(tensors.items())}
    write_safetensors(out / "expected.safetensors", tensors)
    write_json(out / "expected.json", dict(sorted(scalars.items())))


# ---------------------------------------------------------------- data and loss


def make_rows(tokens, eos, seq_len):
    """Each row: tokens(prompt) + tokens(completion) + [EOS], cut to seq_len; labels -100 on the prompt."""
    rows = []
    for p, c in tokens:
        ids = (p + c + [eos])[:seq_len]
        labels = ([-100] * len(p) + c + [eos])[:seq_len]
        rows.append((ids, labels))
    return rows


def collate(rows, eos):
    """Right-pads to the longest row with EOS; attention_mask 0 and label -100 on padding."""
    T = max(len(ids) for ids, _ in rows)
    ids = [r + [eos] * (T - len(r)) for r, _ in rows]
    mask = [[1] * len(r) + [0] * (T - len(r)) for r, _ in rows]
    labels = [lab + [-100] * (T - len(lab)) for _, lab in rows]
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)


def make_batches(tokens, eos):
    """The training batches: rows cut to SEQ_LEN, BATCH rows each in file order."""
    rows = make_rows(tokens, eos, SEQ_LEN)
    return [collate(rows[i : i + BATCH], eos) for i in range(0, len(rows), BATCH)]


def shifted_loss(logits, labels, reduction="mean"):
    """HF causal-LM loss: logits at t predict labels at t+1, -100 ignored."""
    V = logits.shape[-1]
    return torch.nn.functional.cross_entropy(
        logits[:, :-1, :].reshape(-1, V), labels[:, 1:].reshape(-1), ignore_index=-100, reduction=reduction
    )


def count_targets(labels):
    return int((labels[:, 1:] != -100).sum())


# ---------------------------------------------------------------- training and decoding


def linear_warmup(step):
    """HF get_linear_schedule_with_warmup's lambda."""
    if step < WARMUP:
        return float(step) / float(max(1, WARMUP))
    return max(0.0, float(STEPS - step) / float(max(1, STEPS - WARMUP)))


class PrefixMLP(torch.nn.Module):
    """PEFT PrefixEncoder with prefix_projection: embedding [P, width] -> Linear -> tanh -> Linear
    to [P, layers*2*width] (width is PEFT's token_dim)."""

    def __init__(self, width, hidden, layers):
        super().__init__()
        self.embedding = torch.nn.Embedding(PREFIX_LEN, width)
        self.transform = torch.nn.Sequential(
            torch.nn.Linear(width, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, layers * 2 * width)
        )

    def forward(self):
        return self.transform(self.embedding.weight)

    def tensors(self, prefix):
        return {
            prefix + "embedding": self.embedding.weight,
            prefix + "w1": self.transform[0].weight,
            prefix + "b1": self.transform[0].bias,
            prefix + "w2": self.transform[2].weight,
            prefix + "b2": self.transform[2].bias,
        }


def train(model, batches, params, prompt_of, lr, clip):
    """The prefixtune train reference loop; returns per-step losses, lrs, target counts, grad norms."""
    opt = torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=WEIGHT_DECAY)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, linear_warmup)
    log = {"losses": [], "lrs": [], "n_tokens": [], "grad_norms": []}
    for step in range(STEPS):
        ids, mask, labels = batches[step % len(batches)]
        log["lrs"].append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        loss = shifted_loss(model(ids, mask, prompt_of()), labels)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        sched.step()
        log["losses"].append(loss.item())
        log["n_tokens"].append(count_targets(labels))
        log["grad_norms"].append(norm.item())
    return log


def greedy(model, prompt_ids, prompt, n):
    """Greedy decoding by full recomputation (no cache), no EOS stop; returns the new ids."""
    ids = list(prompt_ids)
    for _ in range(n):
        x = torch.tensor([ids])
        logits = model(x, torch.ones_like(x), prompt)
        ids.append(int(torch.argmax(logits[0, -1])))
    return ids[len(prompt_ids) :]


# ---------------------------------------------------------------- self-checks


def check_attention(model, naive, batch, prompt, name=""):
    """The vectorised HF attention equals the per-query loop naive, with P=0 and with the prefix."""
    ids, mask, _ = batch
    for p in (None, prompt):
        fast = model(ids, mask, p)
        slow = model(ids, mask, p, attention=naive)
        err = (fast - slow)[mask.bool()].abs().max().item()
        assert err < 1e-4, "%sattention mismatch %g (prefix %s)" % (name, err, p is not None)


def check_grad(model64, batch, prompt, grad32, points):
    """float32 gradient against float64 autograd, and float64 central finite differences at the
    (row, column) points of prompt_embeddings; model64 has float64 weights."""
    ids, mask, labels = batch
    p64 = prompt.double().clone().requires_grad_()
    shifted_loss(model64(ids, mask, p64), labels).backward()
    assert torch.allclose(p64.grad.float(), grad32, rtol=1e-3, atol=1e-6), "float32 grad differs from float64"
    eps = 1e-6
    for r, c in points:
        plus, minus = p64.detach().clone(), p64.detach().clone()
        plus[r, c] += eps
        minus[r, c] -= eps
        with torch.no_grad():
            up = shifted_loss(model64(ids, mask, plus), labels)
            down = shifted_loss(model64(ids, mask, minus), labels)
        fd = (up - down) / (2 * eps)
        g = p64.grad[r, c].item()
        err = abs(fd.item() - g)
        assert err <= 1e-7 + 1e-5 * abs(g), "finite difference %g vs grad %g at (%d,%d)" % (fd, g, r, c)


# ---------------------------------------------------------------- reference runs


def reference_prefix(model, batches, init, tensors, scalars):
    """The batches as fed; batch 0's logits without and with the prefix, its loss and
    d loss / d prompt_embeddings (returned)."""
    ids, mask, labels = batches[0]
    scalars["batches"] = [
        {"input_ids": i.tolist(), "attention_mask": m.tolist(), "labels": lab.tolist()} for i, m, lab in batches
    ]
    with torch.no_grad():
        base = model(ids, mask)
    tensors["base.logits"] = base
    scalars["base.loss"] = shifted_loss(base, labels).item()
    p = init.clone().requires_grad_()
    logits = model(ids, mask, p)
    loss = shifted_loss(logits, labels)
    loss.backward()
    tensors["prefix.logits"], tensors["prefix.grad"] = logits.detach(), p.grad.clone()
    scalars["prefix.loss"] = loss.item()
    return p.grad


def reference_train(model, batches, init, clip, name, tensors, scalars):
    """STEPS steps on prompt_embeddings directly (lr LR): name+"final" and the per-step log."""
    param = init.clone().requires_grad_()
    log = train(model, batches, [param], lambda: param, LR, clip)
    tensors[name + "final"] = param.detach().clone()
    scalars.update({name + k: v for k, v in log.items()})


def reference_mlp(model, batches, mlp, clip, tensors, scalars):
    """The MLP reparameterisation: initial parameters and output, batch-0 loss and gradients,
    STEPS steps (lr MLP_LR) and the output after them."""
    ids, mask, labels = batches[0]
    tensors.update({k: v.detach().clone() for k, v in mlp.tensors("mlp.").items()})
    prompt = mlp()
    tensors["mlp.prompt"] = prompt.detach().clone()
    loss = shifted_loss(model(ids, mask, prompt), labels)
    loss.backward()
    scalars["mlp.loss"] = loss.item()
    tensors.update({k: v.grad.clone() for k, v in mlp.tensors("mlp.grad.").items()})
    log = train(model, batches, list(mlp.parameters()), mlp, MLP_LR, clip)
    scalars.update({"mlp." + k: v for k, v in log.items()})
    with torch.no_grad():
        tensors["mlp.final.prompt"] = mlp()


@torch.no_grad()
def reference_generate(model, prompt_ids, init, scalars):
    """GEN_TOKENS greedy tokens after prompt_ids with (ids) and without (base_ids) the prefix."""
    scalars["generate.prompt_ids"] = prompt_ids
    scalars["generate.ids"] = greedy(model, prompt_ids, init, GEN_TOKENS)
    scalars["generate.base_ids"] = greedy(model, prompt_ids, None, GEN_TOKENS)
