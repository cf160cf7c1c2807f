#!/usr/bin/env bash
# Character LSTM and GRU on the Shakespeare corpus next to the PyTorch peer, one right
# after the other on an otherwise idle machine, 2 threads each: training tokens/s (from
# the median step, as the peer reports), validation loss, and batch-1 sampling tokens/s.
#   Benchmarks/recurrent.sh          # needs `pip install torch numpy` for the peer
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${PEERS:-../shared/peers}"
out="$(mktemp -d)"
scripts/make_corpus >/dev/null
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
for arch in lstm gru; do
    steps=2000; [ "$arch" = gru ] && steps=500   # the peer's step counts
    echo "== Ember: ember train charlm --arch $arch --steps $steps (defaults = the reference recipe), 2 threads"
    .build/release/ember train charlm --arch "$arch" --steps "$steps" --eval-every 500 --out "$out/$arch" | grep -E '^step [0-9]+:|^validation loss'
    cat "$out/$arch/summary.json"; echo
    .build/release/ember generate --checkpoint "$out/$arch" --tokens 500 --seed 0 --threads 1 2>&1 >/dev/null
done
echo "== PyTorch peer: $peers/bench_torch.py lstm gru"
python3 "$peers/bench_torch.py" lstm gru --corpus data/shakespeare.txt --out "$out/peer.md" | grep -E '^\|'
