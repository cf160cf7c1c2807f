#!/usr/bin/env bash
# Ember next to the PyTorch peer on short runs of the four training recipes, one right
# after the other on an otherwise idle machine, 2 threads each, and a table of the
# ratios for docs/BENCHMARKS.md:
#   Benchmarks/compare.sh [ROUNDS]      # needs `pip install torch numpy` for the peer
# MLP and CNN train one epoch, the character LSTM 300 steps and the character GPT 100
# (the defaults are the reference recipes). Ember's figure is its whole-epoch rate
# (MLP, CNN) or its median step (LSTM, GPT); PyTorch's is its median step, with its
# whole-epoch rate beside it. `ember info` first records the CPU and BLAS kernel set.
# On a machine whose environment sets OPENBLAS_CORETYPE, that is the kernel set Ember
# runs: to measure what the CPU's features call for, run this under
# `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.
set -euo pipefail
cd "$(dirname "$0")/.."
peers="${PEERS:-../shared/peers}"
rounds="${1:-1}"
out="$(mktemp -d)"
scripts/make_corpus >/dev/null
swift build -c release --product ember >/dev/null
ember=.build/release/ember
$ember info
for round in $(seq "$rounds"); do
    $ember train mlp --epochs 1 --out "$out/$round-mlp" >/dev/null
    $ember train cnn --epochs 1 --out "$out/$round-cnn" >/dev/null
    python3 "$peers/bench_torch.py" mlp cnn --epochs 1 --out "$out/$round-peer-classifiers.md" >/dev/null
    $ember train charlm --steps 300 --eval-every 300 --out "$out/$round-lstm" >/dev/null
    python3 "$peers/bench_torch.py" lstm --steps 300 --corpus data/shakespeare.txt --out "$out/$round-peer-lstm.md" >/dev/null
    $ember train gpt --steps 100 --eval-every 100 --out "$out/$round-gpt" >/dev/null
    python3 "$peers/bench_torch.py" gpt --steps 100 --corpus data/shakespeare.txt --out "$out/$round-peer-gpt.md" >/dev/null
done
python3 - "$out" "$rounds" <<'EOF'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])

def summary(name):
    with open(f"{out}/{name}/summary.json") as f:
        return json.load(f)

def peer(name, task):
    with open(f"{out}/{name}.jsonl") as f:
        return next(r for r in map(json.loads, f) if r["task"] == task)

print("| recipe | round | Ember | PyTorch median step / whole run | ratio to the median step |")
print("|---|---|---:|---:|---:|")
for r in range(1, rounds + 1):
    for task, unit in [("mlp", "samples/s"), ("cnn", "samples/s"), ("lstm", "tokens/s"), ("gpt", "tokens/s")]:
        if task in ("mlp", "cnn"):
            ember = summary(f"{r}-{task}")["train_samples_per_sec"]
            stats = peer(f"{r}-peer-classifiers", task)["stats"][0]
            median, whole = stats["samples_per_s_median_batch"], stats["samples_per_s"]
        else:
            ember = summary(f"{r}-{task}")["median_step_tokens_per_sec"]
            record = peer(f"{r}-peer-{task}", task)
            result = record["res"]
            median, whole = result["tok_s_median_step"], result["tok_s"]
        print(f"| {task} ({unit}) | {r} | {ember:,.0f} | {median:,.0f} / {whole:,.0f} | {ember / median:.2f}× |")
EOF
