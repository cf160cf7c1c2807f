#!/usr/bin/env bash
# Core benchmark next to the PyTorch peer, one right after the other (run on an
# otherwise idle machine; a parallel build ruins both numbers):
#   Benchmarks/core.sh            # needs `pip install torch numpy` for the peer
# Prints Ember's table, then the peer's GEMM and bandwidth figures.
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${PEERS:-../shared/peers}"
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
echo "== Ember (ember bench --threads 2)"
.build/release/ember bench --threads 2
.build/release/ember bench --threads 2 --json
echo
echo "== PyTorch peer ($peers/bench_torch.py gemm)"
out="$(mktemp -d)/peer.md"
python3 "$peers/bench_torch.py" gemm --out "$out" | sed -n '/sgemm/,$p'
echo
echo "== PyTorch, the same measurements as ember bench (Benchmarks/torch_core.py)"
python3 Benchmarks/torch_core.py
