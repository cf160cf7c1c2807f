#!/usr/bin/env python3
"""Writes layers.json: inputs and PyTorch's outputs and gradients for the EmberNN tests.

Run once with `python3 make_fixtures.py` (needs torch); the JSON is committed, so the
tests need neither Python nor PyTorch. Inputs come from a fixed seed and are stored
in the file, so Ember reads exactly what PyTorch saw. Everything is float64.
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)
out = {}


def t(x):
    return {"shape": list(x.shape), "data": x.detach().flatten().tolist()}


def with_grads(fn, *inputs):
    """Output of fn(inputs) and the gradients of sum(output * r) for a fixed r."""
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*xs)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    return {"inputs": [t(x) for x in xs], "r": t(r), "output": t(y), "grads": [t(x.grad) for x in xs]}


x = torch.randn(2, 3, 7, 6); w = torch.randn(4, 3, 3, 2); b = torch.randn(4)
out["conv2d"] = with_grads(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2)), x, w, b)
x = torch.randn(1, 4, 5, 5); w = torch.randn(6, 2, 3, 3)
out["conv2d_groups"] = with_grads(lambda x, w: F.conv2d(x, w, None, padding=1, groups=2), x, w)
x = torch.randn(2, 2, 5, 5)
out["max_pool2d"] = with_grads(lambda x: F.max_pool2d(x, 3, stride=2, padding=1), x)
out["avg_pool2d"] = with_grads(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1), x)
out["avg_pool2d_exclude_pad"] = with_grads(lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), x)
x = torch.randn(1, 2, 7, 5)
out["adaptive_avg_pool2d"] = with_grads(lambda x: F.adaptive_avg_pool2d(x, (3, 2)), x)

bn = torch.nn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3)); bn.bias.copy_(torch.randn(3))
x = torch.randn(4, 3, 2, 2) * 2 + 1
case = with_grads(lambda x: bn(x), x)
case["weight"] = t(bn.weight); case["bias"] = t(bn.bias)
case["running_mean"] = t(bn.running_mean); case["running_var"] = t(bn.running_var)
bn.eval()
x2 = torch.randn(2, 3, 2, 2)
case["eval_input"] = t(x2); case["eval_output"] = t(bn(x2))
out["batch_norm2d"] = case

ln_w = torch.randn(5); ln_b = torch.randn(5)
out["layer_norm"] = with_grads(lambda x, w, b: F.layer_norm(x, (5,), w, b), torch.randn(3, 5) * 3, ln_w, ln_b)

logits = torch.randn(6, 4); targets = torch.tensor([0, 3, 1, 1, 2, 3])
case = with_grads(lambda z: F.cross_entropy(z, targets), logits)
case["targets"] = targets.tolist(); out["cross_entropy"] = case
case = with_grads(lambda z: F.cross_entropy(z, targets, label_smoothing=0.1, ignore_index=1), logits)
case["targets"] = targets.tolist(); out["cross_entropy_smoothing_ignore"] = case
logits3 = torch.randn(2, 3, 4); targets3 = torch.tensor([[0, 2, 1, 1], [2, 2, 0, 1]])
case = with_grads(lambda z: F.cross_entropy(z, targets3, reduction="sum"), logits3)
case["targets"] = targets3.flatten().tolist(); out["cross_entropy_spatial_sum"] = case

p = torch.randn(4) * 0.5 + 0.5
y = torch.tensor([0.0, 1.0, 1.0, 0.0])
out["bce"] = with_grads(lambda q: F.binary_cross_entropy(q.clamp(0.01, 0.99), y), p)
out["bce"]["targets"] = t(y)
out["bce_logits"] = with_grads(lambda z: F.binary_cross_entropy_with_logits(z, y), torch.randn(4) * 3)
out["bce_logits"]["targets"] = t(y)

# Optimizers: three steps on one parameter from fixed gradients.
start = torch.randn(5)
grads = [torch.randn(5) for _ in range(3)]
optimizers = {
    "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: torch.optim.Adam(ps, lr=0.01),
    "adam_l2": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1),
    "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
    "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.01),
    "rmsprop_centered_momentum": lambda ps: torch.optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
}
out["optimizers"] = {"start": t(start), "grads": [t(g) for g in grads], "steps": {}}
for name, make in optimizers.items():
    param = torch.nn.Parameter(start.clone())
    opt = make([param])
    trace = []
    for g in grads:
        param.grad = g.clone()
        opt.step()
        trace.append(t(param))
    out["optimizers"]["steps"][name] = trace

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers.json"), "w") as f:
    json.dump(out, f)
print("wrote layers.json with", torch.__version__)
