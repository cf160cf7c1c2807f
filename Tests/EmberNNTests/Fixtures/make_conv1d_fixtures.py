#!/usr/bin/env python3
"""Writes conv1d.json: PyTorch's outputs and gradients for Conv1d (every padding mode,
"same", groups, dilation, stride), F.pad's reflect/replicate/circular modes and
AdaptiveAvgPool1d, in the format of make_fixtures.py.

Run once with `python3 make_conv1d_fixtures.py` (needs torch); the JSON is committed.
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(1)
torch.set_default_dtype(torch.float64)
out = {}


def t(x):
    return {"shape": list(x.shape), "data": x.detach().flatten().tolist()}


def with_grads(fn, *inputs):
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*xs)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    return {"inputs": [t(x) for x in xs], "r": t(r), "output": t(y), "grads": [t(x.grad) for x in xs]}


def conv_case(name, cin, cout, k, length, **options):
    conv = torch.nn.Conv1d(cin, cout, k, **options)
    x = torch.randn(2, cin, length)
    # The module's own forward (padding modes and "same" included) with these weights.
    case = with_grads(lambda x, w, b: conv._conv_forward(x, w, b), x, conv.weight.detach(), conv.bias.detach())
    out[name] = case


conv_case("conv1d", 3, 4, 3, 9, stride=2, padding=1, dilation=2)
conv_case("conv1d_groups", 4, 6, 3, 8, padding=1, groups=2)
conv_case("conv1d_same_even_kernel", 2, 3, 4, 7, padding="same")
conv_case("conv1d_same_dilated", 2, 3, 3, 7, padding="same", dilation=2)
for mode in ["reflect", "replicate", "circular"]:
    conv_case(f"conv1d_{mode}", 2, 3, 5, 8, padding=2, padding_mode=mode)
    out[f"pad_{mode}"] = with_grads(lambda x: F.pad(x, (3, 2), mode=mode), torch.randn(2, 2, 5))
conv_case("conv1d_same_reflect", 2, 3, 4, 7, padding="same", padding_mode="reflect")
out["adaptive_avg_pool1d"] = with_grads(lambda x: F.adaptive_avg_pool1d(x, 4), torch.randn(2, 3, 10))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv1d.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path, os.path.getsize(path), "bytes")
