#!/usr/bin/env python3
"""Writes transformer.json: PyTorch's MultiheadAttention, TransformerEncoderLayer,
TransformerDecoderLayer and a nanoGPT model on fixed inputs, with outputs and
gradients, for the EmberNN and EmberModels transformer tests.

Run once with `python3 make_transformer_fixtures.py` (needs torch); the JSON is
committed. Each case holds the module's state dict by PyTorch name, the inputs, an
upstream gradient `r` of `sum(output * r)`, the output and the gradients of the inputs
and of every parameter. Everything is float64 and in eval mode (no dropout).

The GPT is nanoGPT's model.py (github.com/karpathy/nanoGPT) written out here at a tiny
size: LayerNorm with bias, CausalSelfAttention with a packed c_attn, an MLP with exact
GELU, pre-norm blocks, learned positions and lm_head tied to wte.
"""
import json, math, os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def t(x):
    return {"shape": list(x.shape), "data": x.detach().flatten().tolist()}


def case(module, inputs, forward, extra=None):
    module.eval()
    leaves = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    y = forward(module, *leaves)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out = {"state": {k: t(v) for k, v in module.state_dict().items()},
           "inputs": [t(x) for x in leaves], "r": t(r), "output": t(y),
           "input_grads": [t(x.grad) if x.grad is not None else None for x in leaves],
           "grads": {k: t(p.grad) for k, p in module.named_parameters() if p.grad is not None}}
    out.update(extra or {})
    return out


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.n_head = n_head

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)]), ln_f=nn.LayerNorm(n_embd)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02 * 10)  # larger than nanoGPT's, so the test sees structure
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.normal_(m.bias, 0.0, 0.1)
            if isinstance(m, nn.LayerNorm):
                nn.init.normal_(m.weight, 1.0, 0.1); nn.init.normal_(m.bias, 0.0, 0.1)

    def forward(self, idx):
        B, T = idx.size()
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


out = {}
# Self-attention, batch first, a key-padding mask and a boolean attention mask.
mha = nn.MultiheadAttention(8, 2, batch_first=True)
nn.init.normal_(mha.in_proj_bias, 0, 0.1); nn.init.normal_(mha.out_proj.bias, 0, 0.1)
x = torch.randn(2, 5, 8)
padding = torch.tensor([[False] * 5, [False, False, False, True, True]])
blocked = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
out["mha_self"] = case(mha, [x], lambda m, x: m(x, x, x, key_padding_mask=padding, attn_mask=blocked, need_weights=False)[0],
                       {"key_padding_mask": t(padding.double()), "attn_mask": t(blocked.double())})
# Cross-attention, time first (PyTorch's default), queries and keys of different lengths.
cross = nn.MultiheadAttention(6, 3)
q = torch.randn(4, 2, 6); kv = torch.randn(7, 2, 6)
out["mha_cross"] = case(cross, [q, kv], lambda m, q, kv: m(q, kv, kv, need_weights=False)[0])

for name, norm_first, activation in [("encoder_post_relu", False, "relu"), ("encoder_pre_gelu", True, "gelu")]:
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation=activation,
                                       batch_first=True, norm_first=norm_first)
    for n, p in layer.named_parameters():
        if "norm" in n or n.endswith("bias"):
            nn.init.normal_(p, 1.0 if n.endswith("norm1.weight") or n.endswith("norm2.weight") else 0.0, 0.1)
    x = torch.randn(2, 6, 8)
    out[name] = case(layer, [x], lambda m, x: m(x, is_causal=False))

decoder = nn.TransformerDecoderLayer(8, 2, dim_feedforward=12, dropout=0.0, batch_first=True)
tgt = torch.randn(2, 4, 8); memory = torch.randn(2, 6, 8)
causal = nn.Transformer.generate_square_subsequent_mask(4)
out["decoder_post_relu"] = case(decoder, [tgt, memory], lambda m, tgt, mem: m(tgt, mem, tgt_mask=causal))

gpt = GPT(vocab_size=11, block_size=16, n_layer=2, n_head=2, n_embd=8)
idx = torch.randint(0, 11, (2, 9))
out["nanogpt"] = case(gpt, [idx], lambda m, idx: m(idx),
                      {"config": {"vocab_size": 11, "block_size": 16, "n_layer": 2, "n_head": 2, "n_embd": 8}})

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformer.json"), "w") as f:
    json.dump(out, f)
print("wrote", {k: list(v["state"]) [:3] for k, v in out.items()})
