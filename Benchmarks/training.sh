#!/usr/bin/env bash
# Fashion-MNIST training throughput and accuracy next to the PyTorch peer, one right
# after the other on an otherwise idle machine, 2 threads each:
#   Benchmarks/training.sh          # needs `pip install torch numpy` for the peer
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${PEERS:-../shared/peers}"
out="$(mktemp -d)"
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
for model in mlp cnn; do
    echo "== Ember: ember train $model (defaults = the reference recipe), 2 threads"
    .build/release/ember train "$model" --threads 2 --out "$out/$model" | grep -E '^epoch [0-9]+:|^test accuracy'
    cat "$out/$model/summary.json"; echo
done
echo "== PyTorch peer: $peers/bench_torch.py mlp cnn"
python3 "$peers/bench_torch.py" mlp cnn --out "$out/peer.md" | grep -E '^\|' 
