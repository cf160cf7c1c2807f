#!/usr/bin/env python3
"""PyTorch's CNN recipe (the peer script's model, data and loop) with other seeds, to
see how much the 2-epoch Fashion-MNIST accuracy moves with the seed alone.

    python3 Benchmarks/torch_cnn_seeds.py [SEED ...]     # default: 1 2
    HOLDOUT=5000 python3 Benchmarks/torch_cnn_seeds.py 0 1 2   # train on 55,000, as `--val-size 5000`
    NORMALIZE=1 python3 Benchmarks/torch_cnn_seeds.py 0 1 2    # standardised pixels, as ember's default

With HOLDOUT=N, N training images (a seeded random choice) are left out of training,
as `ember train cnn --val-size N` holds out its validation set. With NORMALIZE=1 the
pixels are standardised with the training images' mean and standard deviation, as
Ember's InputNormalization does.
"""
import os, sys
import torch
import torch.nn.functional as F

seeds = [int(s) for s in sys.argv[1:]] or [1, 2]
sys.argv = sys.argv[:1]
sys.path.insert(0, os.environ.get("PEERS", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "peers")))
import bench_torch as peer  # noqa: E402

torch.set_num_threads(2)
xtr, ytr, xte, yte = peer.fmnist()
xtr, xte = xtr.unsqueeze(1), xte.unsqueeze(1)
holdout = int(os.environ.get("HOLDOUT", "0"))
if holdout:
    keep = torch.randperm(len(xtr), generator=torch.Generator().manual_seed(1234))[holdout:]
    xtr, ytr = xtr[keep], ytr[keep]
if os.environ.get("NORMALIZE") == "1":
    mean, std = xtr.double().mean().item(), xtr.double().std(correction=0).item()
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
for seed in seeds:
    torch.manual_seed(seed)
    model = peer.CNN()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    for epoch in (1, 2):
        perm = torch.randperm(len(xtr), generator=g)
        model.train()
        for i in range(0, len(xtr), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            F.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
        print(f"seed {seed} epoch {epoch}: test accuracy {peer.accuracy(model, xte, yte):.2%}", flush=True)
