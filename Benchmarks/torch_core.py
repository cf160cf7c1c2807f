#!/usr/bin/env python3
"""PyTorch's side of `ember bench` for what the peer script does not measure:
elementwise add of two 16M-element float32 tensors and one 16-element add with
autograd recording, same sizes and timing method (best of 7) as `ember bench`."""
import json, time
import torch

torch.set_num_threads(2)


def best(fn, reps, trials=7):
    fn()
    fastest = float("inf")
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        fastest = min(fastest, (time.perf_counter() - t0) / reps)
    return fastest


n = 16 << 20
g = torch.Generator().manual_seed(0)
x, y = torch.randn(n, generator=g), torch.randn(n, generator=g)
add = best(lambda: x + y, 3)
a, b = torch.randn(1024, 1024, generator=g), torch.randn(1024, 1024, generator=g)
mm = best(lambda: a @ b, 10)
p, q = torch.randn(16, requires_grad=True), torch.randn(16)
small = best(lambda: p + q, 100_000)
print(json.dumps({
    "torch": torch.__version__,
    "matmul_gflops_1024": round(2 * 1024**3 / mm / 1e9, 1),
    "add_gbps_16m": round(3 * 4 * n / add / 1e9, 2),
    "small_op_us": round(small * 1e6, 3),
}))
