#!/usr/bin/python3
"""Reference float16/bfloat16 conversions for core/safetensors, from PyTorch.

Writes f16_reference.json next to this script:
  - "cases": float32 bit patterns with the bits PyTorch produces when it
    converts them to float16 and bfloat16 (round to nearest, ties to even):
    zeros, ones, the float16 maximum and overflow edge, infinities, NaNs,
    float16 subnormals and their ties, float32 subnormals, ties in the normal
    range, and seeded random values concentrated on the float16 range;
  - "f16_to_f32_sha256" / "bf16_to_f32_sha256": SHA-256 of the little-endian
    float32 bits PyTorch gives for all 65536 16-bit patterns (the decoders
    are checked exhaustively without committing 512 KB of tables).

Run with Debian's /usr/bin/python3 (torch 1.13 CPU):
  /usr/bin/python3 tests/reference/safetensors/make_f16.py
"""

import hashlib
import json
import os
import random
import struct

import torch


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def cases():
    named = [
        ("zero", 0.0),
        ("negative zero", -0.0),
        ("one", 1.0),
        ("minus one", -1.0),
        ("0.1", 0.1),
        ("1/3", 1.0 / 3.0),
        ("pi", 3.141592653589793),
        ("-2.5e-5", -2.5e-5),
        ("f16 max", 65504.0),
        ("rounds down to f16 max", 65519.0),
        ("f16 overflow tie to inf", 65520.0),
        ("65536", 65536.0),
        ("1e10", 1e10),
        ("f32 max", 3.4028234663852886e38),
        ("inf", float("inf")),
        ("-inf", float("-inf")),
        ("f16 smallest normal", 2.0**-14),
        ("f16 largest subnormal", 1023 * 2.0**-24),
        ("f16 subnormal tie up to smallest normal", 1023.5 * 2.0**-24),
        ("f16 smallest subnormal", 2.0**-24),
        ("f16 half of smallest subnormal, tie to zero", 2.0**-25),
        ("f16 three quarters of smallest subnormal", 3 * 2.0**-26),
        ("f16 subnormal tie 1.5 to 2", 3 * 2.0**-25),
        ("f16 subnormal tie 2.5 to 2", 5 * 2.0**-25),
        ("f16 below half smallest subnormal", 2.0**-26),
        ("f16 normal tie to even down", 1 + 2.0**-11),
        ("f16 normal tie to even up", 1 + 3 * 2.0**-11),
        ("2049 tie", 2049.0),
        ("2051 tie", 2051.0),
        ("bf16 tie to even down", 1 + 2.0**-8),
        ("bf16 tie to even up", 1 + 3 * 2.0**-8),
        ("f32 smallest subnormal", 2.0**-149),
        ("f32 largest subnormal", (2**23 - 1) * 2.0**-149),
        ("f32 smallest normal", 2.0**-126),
    ]
    out = [(name, f32_bits(x)) for name, x in named]
    out += [
        ("nan", 0x7FC00000),
        ("negative nan", 0xFFC00000),
        ("signalling nan", 0x7F800001),
        ("nan with payload", 0x7FC02000),
        ("f32 max bits", 0x7F7FFFFF),
    ]
    rng = random.Random(20240607)
    for _ in range(600):
        # Biased exponents 100..150 span 2^-27 .. 2^23: subnormal, normal and
        # overflowing float16 values.
        sign = rng.getrandbits(1) << 31
        exp = rng.randint(100, 150) << 23
        out.append(("random", sign | exp | rng.getrandbits(23)))
    for _ in range(150):
        sign = rng.getrandbits(1) << 31
        exp = rng.randint(100, 142) << 23
        tie16 = (rng.getrandbits(10) << 13) | 0x1000
        tiebf = (rng.getrandbits(7) << 16) | 0x8000
        out.append(("random f16 tie", sign | exp | tie16))
        out.append(("random bf16 tie", sign | exp | tiebf))
    for _ in range(100):
        out.append(("random bits", rng.getrandbits(32)))
    return out


def bits_u16(t):
    return [v & 0xFFFF for v in t.view(torch.int16).tolist()]


def main():
    named = cases()
    u32 = torch.tensor([b for _, b in named], dtype=torch.int64)
    f32 = u32.to(torch.int32).view(torch.float32)
    f16 = bits_u16(f32.to(torch.float16))
    bf16 = bits_u16(f32.to(torch.bfloat16))
    records = [
        {"name": name, "f32": "%08x" % b, "f16": "%04x" % h, "bf16": "%04x" % g}
        for (name, b), h, g in zip(named, f16, bf16)
    ]

    all16 = torch.arange(0, 65536, dtype=torch.int32).to(torch.int16)
    digests = {}
    for key, dtype in (("f16_to_f32_sha256", torch.float16), ("bf16_to_f32_sha256", torch.bfloat16)):
        wide = all16.view(dtype).to(torch.float32).view(torch.int32).tolist()
        raw = b"".join(struct.pack("<I", v & 0xFFFFFFFF) for v in wide)
        digests[key] = hashlib.sha256(raw).hexdigest()

    doc = {
        "generator": "tests/reference/safetensors/make_f16.py",
        "torch": torch.__version__,
        **digests,
        "cases": records,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "f16_reference.json")
    # One case per line: small diffs when the script changes.
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, indent=1)
    rows = ",\n".join("  " + json.dumps(r) for r in records)
    with open(path, "w") as f:
        f.write(head[:-2] + ',\n "cases": [\n' + rows + "\n ]\n}\n")


if __name__ == "__main__":
    main()
