#!/usr/bin/env bash
# Character GPT on the Shakespeare corpus next to the PyTorch peer, one right after the
# other on an otherwise idle machine, 2 threads each: training tokens/s (from the
# median step, as the peer reports), validation loss after 2,000 steps, and generating
# 500 tokens at batch 1 with and without the KV cache.
#   Benchmarks/transformer.sh        # needs `pip install torch numpy` for the peer
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${PEERS:-../shared/peers}"
out="$(mktemp -d)"
scripts/make_corpus >/dev/null
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
echo "== Ember: ember train gpt (defaults = the reference recipe, 2,000 steps), 2 threads"
.build/release/ember train gpt --eval-every 500 --out "$out/gpt" | grep -E '^step [0-9]+:|^validation loss'
cat "$out/gpt/summary.json"; echo
for cache in "" --no-kv-cache; do
    echo "== Ember: ember generate --tokens 500 ${cache:-(KV cache)}, batch 1, 2 threads"
    .build/release/ember generate --checkpoint "$out/gpt" --tokens 500 --seed 0 --threads 2 $cache 2>&1 >/dev/null
done
echo "== PyTorch peer: $peers/bench_torch.py gpt"
python3 "$peers/bench_torch.py" gpt --corpus data/shakespeare.txt --out "$out/peer.md" | grep -E '^\|'
