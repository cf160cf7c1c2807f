#!/usr/bin/env bash
# Data-parallel scaling of CNN training on Fashion-MNIST, on an otherwise idle machine:
# 1 process × 1 thread; the ceiling, two independent 1-thread trainings at half the
# batch, one pinned to each core; 2 processes × 1 thread under mpirun (shared memory)
# with gradients averaged during backward and after it; 2 processes over TCP between
# two network namespaces (scripts/two-hosts; needs root); and, where PyTorch is
# installed, its DistributedDataParallel peer (Benchmarks/torch_ddp_cnn.py, gloo) with
# one and two processes. A shared machine's speed drifts by several percent from minute
# to minute, so the configurations take turns, REPEATS rounds of them, and each round's
# speeds are divided by the same round's one-process speed (Ember's, or PyTorch's for
# its two); the table gives the medians and ranges. CONFIGURATION names choose some of
# them: one pair overlap no-overlap tcp torch-one torch-two ("one" is always run).
#   EMBER_SETUP_MPI=1 scripts/setup && Benchmarks/distributed.sh [EPOCHS] [REPEATS] [CONFIGURATION ...]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-1}" repeats="${2:-5}"
shift $(($# < 2 ? $# : 2))
out="$(mktemp -d)"
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
args=(cnn --epochs "$epochs" --threads 1)
configurations="one pair overlap no-overlap"
[ "$(id -u)" -eq 0 ] && configurations+=" tcp"
python3 -c "import torch" 2>/dev/null && configurations+=" torch-one torch-two"
[ $# -gt 0 ] && configurations="one $(printf '%s\n' "$@" | grep -vx one | tr '\n' ' ')"
# Runs one configuration into $out/ROUND/NAME, keeping its output beside the run.
train() {
    local round=$1 name=$2 dir="$out/$1/$2"
    mkdir -p "$out/$round"
    case $name in
        one) .build/release/ember train "${args[@]}" --out "$dir" ;;
        pair)  # two trainings that never talk, each at half the recipe's batch of 64
            taskset -c 0 .build/release/ember train "${args[@]}" --batch-size 32 --out "$dir" &
            local first=$!
            taskset -c 1 .build/release/ember train "${args[@]}" --batch-size 32 --seed 1 --out "$dir-1"
            wait "$first" ;;
        torch-one) python3 Benchmarks/torch_ddp_cnn.py "$epochs" "$dir" ;;
        torch-two) python3 -m torch.distributed.run --standalone --nproc-per-node 2 Benchmarks/torch_ddp_cnn.py "$epochs" "$dir" ;;
        overlap|no-overlap)
            mpirun --allow-run-as-root -np 2 .build/release/ember train "${args[@]}" --distributed "--$name" --out "$dir" ;;
        tcp) scripts/two-hosts "$out/$round/hosts" "${args[@]}" && ln -s hosts/two-hosts "$dir" ;;
        *) echo "unknown configuration '$name'" >&2; exit 2 ;;
    esac > "$out/$round/$name.log"
}
for round in $(seq "$repeats"); do
    for name in $configurations; do
        train "$round" "$name"
        echo "round $round, $name: $(grep -h "test accuracy" "$out/$round/$name.log" | head -n 1)"
    done
done
python3 - "$out" "$repeats" $configurations <<'EOF'
import json, re, statistics, sys
out, repeats, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
titles = {"one": "1 process × 1 thread",
          "pair": "2 independent processes at batch 32, one per core (the ceiling)",
          "overlap": "2 processes, shared memory, averaging during backward",
          "no-overlap": "2 processes, shared memory, averaging after backward",
          "tcp": "2 processes, TCP between two network namespaces",
          "torch-one": "PyTorch, 1 process × 1 thread", "torch-two": "PyTorch DDP (gloo), 2 processes"}
baseline = {"torch-one": None, "torch-two": "torch-one", "one": None}
def run(round, name):
    summary = json.load(open(f"{out}/{round}/{name}/summary.json"))
    if name == "pair":
        other = json.load(open(f"{out}/{round}/{name}-1/summary.json"))
        return summary["train_samples_per_sec"] + other["train_samples_per_sec"], None, summary["test_accuracy"]
    log = open(f"{out}/{round}/{name}.log").read()
    if name == "tcp":  # two-hosts prints the namespace run first, then the one-host one
        log = log.split("the same on one host")[0]
    wait = re.search(r"waited on gradient averaging ([0-9.]+)%", log)
    return summary["train_samples_per_sec"], float(wait.group(1)) if wait else None, summary["test_accuracy"]
rounds = range(1, repeats + 1)
runs = {name: [run(r, name) for r in rounds] for name in names}
def spread(values, format):
    return f"{format(statistics.median(values))} ({format(min(values))}–{format(max(values))})"
print(f"\n{repeats} rounds; median (range)")
print("| run | train samples/s | vs 1 process | rank 0 waiting | test accuracy |")
print("|---|---|---|---|---|")
for name in names:
    speeds = [r[0] for r in runs[name]]
    base = baseline.get(name, "one")
    ratios = [r[0] / one[0] for r, one in zip(runs[name], runs[base])] if base in runs else []
    waits = [r[1] for r in runs[name] if r[1] is not None]
    accuracies = sorted({f"{100 * r[2]:.2f}%" for r in runs[name]})
    print(f"| {titles[name]} | {spread(speeds, lambda v: f'{v:,.0f}')} | "
          + (spread(ratios, lambda v: f"{v:.2f}×") if ratios else "1") + " | "
          + (spread(waits, lambda v: f"{v:.1f}%") if waits else "") + f" | {', '.join(accuracies)} |")
EOF
