#!/usr/bin/env python3
"""PyTorch's data-parallel peer of Benchmarks/distributed.sh: the peer script's CNN on
Fashion-MNIST, Adam 1e-3, global batch 64, one thread a process, trained by one process
and by two under DistributedDataParallel (gloo, the CPU backend of PyTorch's wheels),
each on its half of every batch, as `mpirun -np 2 ember train cnn --distributed`.

    python3 Benchmarks/torch_ddp_cnn.py [EPOCHS] [OUT]            # one process
    python3 -m torch.distributed.run --standalone --nproc-per-node 2 \\
        Benchmarks/torch_ddp_cnn.py [EPOCHS] [OUT]                # two

Prints the global training samples per second over each epoch (the time of every
step, the first included, as Ember's summary counts it) and the test accuracy; with
OUT, writes them over all epochs to OUT/summary.json under the names Ember's uses.
"""
import json, os, sys, time
import torch
import torch.distributed as dist
import torch.nn.functional as F

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
out = sys.argv[2] if len(sys.argv) > 2 else None
sys.argv = sys.argv[:1]
sys.path.insert(0, os.environ.get("PEERS", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "peers")))
import bench_torch as peer  # noqa: E402

torch.set_num_threads(1)
world = int(os.environ.get("WORLD_SIZE", "1"))
rank = int(os.environ.get("RANK", "0"))
if world > 1:
    dist.init_process_group("gloo")
torch.manual_seed(peer.SEED)
xtr, ytr, xte, yte = peer.fmnist()
xtr, xte = xtr.unsqueeze(1), xte.unsqueeze(1)
model = peer.CNN()
trained = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
batch = 64
g = torch.Generator().manual_seed(peer.SEED)
train_seconds = 0.0
for epoch in range(1, epochs + 1):
    perm = torch.randperm(len(xtr), generator=g)
    model.train()
    start = time.perf_counter()
    for i in range(0, len(perm), batch):
        idx = perm[i:i + batch][rank::world]   # this process's share of the global batch
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(trained(xtr[idx]), ytr[idx]).backward()
        opt.step()
    seconds = time.perf_counter() - start
    train_seconds += seconds
    if rank == 0:
        accuracy = peer.accuracy(model, xte, yte)
        print(f"processes {world}, epoch {epoch}: {len(perm) / seconds:,.0f} samples/s, "
              f"test accuracy {100 * accuracy:.2f}%", flush=True)
if rank == 0 and out:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"processes": world, "train_samples_per_sec": epochs * len(xtr) / train_seconds,
                   "test_accuracy": accuracy}, f)
if world > 1:
    dist.destroy_process_group()
