"""Reference learning rates for core/train/schedule.go.

Runs torch.optim.lr_scheduler.LambdaLR with the lambdas of Hugging Face
transformers (src/transformers/optimization.py, transcribed below because
transformers is not installed here) and records the learning rate that
every optimiser step uses. Writes schedule.json beside this script.

Run: /usr/bin/python3 tests/reference/schedule/make_schedule.py
"""

import json
import math
import os
from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR


def _get_constant_lambda(_):
    return 1


def _get_constant_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1.0, num_warmup_steps))
    return 1.0


def _get_linear_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps, num_training_steps):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    return max(0.0, float(num_training_steps - current_step) / float(max(1, num_training_steps - num_warmup_steps)))


def _get_cosine_schedule_with_warmup_lr_lambda(current_step, *, num_warmup_steps, num_training_steps, num_cycles):
    if current_step < num_warmup_steps:
        return float(current_step) / float(max(1, num_warmup_steps))
    progress = float(current_step - num_warmup_steps) / float(max(1, num_training_steps - num_warmup_steps))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(num_cycles) * 2.0 * progress)))


def lr_lambda(schedule, warmup, total):
    if schedule == "constant" and warmup == 0:
        return _get_constant_lambda  # get_constant_schedule
    if schedule == "constant":
        return partial(_get_constant_schedule_with_warmup_lr_lambda, num_warmup_steps=warmup)
    if schedule == "linear":
        return partial(_get_linear_schedule_with_warmup_lr_lambda, num_warmup_steps=warmup, num_training_steps=total)
    return partial(_get_cosine_schedule_with_warmup_lr_lambda, num_warmup_steps=warmup,
                   num_training_steps=total, num_cycles=0.5)


def rates(schedule, base, warmup, total, steps):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=base)
    sched = LambdaLR(opt, lr_lambda(schedule, warmup, total))
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])  # the rate this step uses
        opt.step()
        sched.step()
    return out


CASES = [
    # schedule, base, warmup, total, steps recorded (beyond total shows the tail)
    ("constant", 1e-3, 0, 20, 25),
    ("constant", 5e-5, 7, 20, 25),
    ("linear", 1e-3, 0, 20, 25),
    ("linear", 3e-4, 7, 100, 110),
    ("linear", 8e-5, 10, 10, 15),
    ("linear", 2e-3, 12, 5, 20),
    ("linear", 1e-3, 1, 1, 4),
    ("cosine", 1e-3, 0, 20, 25),
    ("cosine", 3e-4, 7, 100, 130),
    ("cosine", 5e-3, 3, 3, 8),
    ("cosine", 1e-2, 5, 33, 40),
]


def main():
    cases = [
        {"schedule": s, "base": b, "warmup": w, "total": t, "lr": rates(s, b, w, t, n)}
        for s, b, w, t, n in CASES
    ]
    doc = {"generator": "make_schedule.py, torch " + torch.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schedule.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
