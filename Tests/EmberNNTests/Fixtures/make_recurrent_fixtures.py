#!/usr/bin/env python3
"""Writes recurrent.json: PyTorch's RNN, LSTM and GRU (and their cells) on fixed inputs,
with every output and gradient, for the EmberNN recurrent tests.

Run once with `python3 make_recurrent_fixtures.py` (needs torch); the JSON is committed.
Each case holds the module's state dict by PyTorch name, the inputs, the upstream
gradients `r_*` of `sum(output·r_out) + sum(h·r_h) (+ sum(c·r_c))`, the outputs and the
gradients of the input, the initial states and every parameter. Everything is float64.
"""
import json, os
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def t(x):
    return {"shape": list(x.shape), "data": x.detach().flatten().tolist()}


def network_case(module, x, h0, c0=None):
    x = x.clone().requires_grad_(True); h0 = h0.clone().requires_grad_(True)
    c0 = None if c0 is None else c0.clone().requires_grad_(True)
    out, state = module(x, h0 if c0 is None else (h0, c0))
    h, c = (state, None) if c0 is None else state
    r_out, r_h = torch.randn_like(out), torch.randn_like(h)
    loss = (out * r_out).sum() + (h * r_h).sum()
    case = {"state": {k: t(v) for k, v in module.state_dict().items()},
            "input": t(x), "h0": t(h0), "r_out": t(r_out), "r_h": t(r_h), "output": t(out), "h": t(h)}
    if c0 is not None:
        r_c = torch.randn_like(c); loss = loss + (c * r_c).sum()
        case.update({"c0": t(c0), "r_c": t(r_c), "c": t(c)})
    loss.backward()
    case["grads"] = {"input": t(x.grad), "h0": t(h0.grad), **({"c0": t(c0.grad)} if c0 is not None else {}),
                     **{k: t(p.grad) for k, p in module.named_parameters()}}
    return case


out = {}
# Two layers, both directions, batch first: T = 4, B = 3, I = 5, H = 6.
x = torch.randn(3, 4, 5); h0 = torch.randn(4, 3, 6); c0 = torch.randn(4, 3, 6)
out["rnn_tanh"] = network_case(torch.nn.RNN(5, 6, num_layers=2, bidirectional=True, batch_first=True), x, h0)
out["rnn_relu"] = network_case(torch.nn.RNN(5, 6, num_layers=2, nonlinearity="relu", bidirectional=True, batch_first=True), x, h0)
out["lstm"] = network_case(torch.nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True), x, h0, c0)
out["gru"] = network_case(torch.nn.GRU(5, 6, num_layers=2, bidirectional=True, batch_first=True), x, h0)
# Time first, one layer, hidden 11 (not a multiple of the 8 float lanes).
x = torch.randn(6, 2, 3); h0 = torch.randn(1, 2, 11); c0 = torch.randn(1, 2, 11)
out["lstm_time_first"] = network_case(torch.nn.LSTM(3, 11), x, h0, c0)
out["gru_time_first"] = network_case(torch.nn.GRU(3, 11), x, h0)

# Cells: one step, batch 2, I = 4, H = 5.
x = torch.randn(2, 4); h = torch.randn(2, 5); c = torch.randn(2, 5)
for name, cell in [("rnn_cell", torch.nn.RNNCell(4, 5)), ("gru_cell", torch.nn.GRUCell(4, 5)), ("lstm_cell", torch.nn.LSTMCell(4, 5))]:
    xi = x.clone().requires_grad_(True); hi = h.clone().requires_grad_(True); ci = c.clone().requires_grad_(True)
    y = cell(xi, (hi, ci)) if name == "lstm_cell" else cell(xi, hi)
    hy, cy = y if name == "lstm_cell" else (y, None)
    r_h = torch.randn_like(hy); loss = (hy * r_h).sum()
    case = {"state": {k: t(v) for k, v in cell.state_dict().items()}, "input": t(xi), "h0": t(hi), "r_h": t(r_h), "h": t(hy)}
    if cy is not None:
        r_c = torch.randn_like(cy); loss = loss + (cy * r_c).sum()
        case.update({"c0": t(ci), "r_c": t(r_c), "c": t(cy)})
    loss.backward()
    case["grads"] = {"input": t(xi.grad), "h0": t(hi.grad), **({"c0": t(ci.grad)} if cy is not None else {}),
                     **{k: t(p.grad) for k, p in cell.named_parameters()}}
    out[name] = case

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "recurrent.json"), "w") as f:
    json.dump(out, f)
print("wrote recurrent.json:", ", ".join(out))
