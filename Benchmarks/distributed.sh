#!/usr/bin/env bash
# Data-parallel scaling of CNN training on Fashion-MNIST, on an otherwise idle machine:
# 1 process × 1 thread, 2 processes × 1 thread under mpirun (shared memory) with
# gradients averaged during backward and after it, and 2 processes over TCP between two
# network namespaces (scripts/two-hosts; needs root). A shared machine's speed drifts
# by several percent from minute to minute, so the configurations take turns, REPEATS
# rounds of them, and each round's two-process speeds are divided by the same round's
# one-process speed; the table gives the medians and ranges.
#   EMBER_SETUP_MPI=1 scripts/setup && Benchmarks/distributed.sh [EPOCHS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-1}" repeats="${2:-5}"
out="$(mktemp -d)"
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
export OPENBLAS_NUM_THREADS=1 OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
args=(cnn --epochs "$epochs" --threads 1)
configurations="one overlap no-overlap"
[ "$(id -u)" -eq 0 ] && configurations+=" tcp"
# Runs one configuration into $out/ROUND/NAME, keeping its output beside the run.
train() {
    local round=$1 name=$2 dir="$out/$1/$2"
    mkdir -p "$out/$round"
    case $name in
        one) .build/release/ember train "${args[@]}" --out "$dir" ;;
        overlap|no-overlap)
            mpirun --allow-run-as-root -np 2 .build/release/ember train "${args[@]}" --distributed "--$name" --out "$dir" ;;
        tcp) scripts/two-hosts "$out/$round/hosts" "${args[@]}" && ln -s hosts/two-hosts "$dir" ;;
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
titles = {"one": "1 process × 1 thread", "overlap": "2 processes, shared memory, averaging during backward",
          "no-overlap": "2 processes, shared memory, averaging after backward",
          "tcp": "2 processes, TCP between two network namespaces"}
def run(round, name):
    summary = json.load(open(f"{out}/{round}/{name}/summary.json"))
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
    ratios = [r[0] / one[0] for r, one in zip(runs[name], runs["one"])]
    waits = [r[1] for r in runs[name] if r[1] is not None]
    accuracies = sorted({f"{100 * r[2]:.2f}%" for r in runs[name]})
    print(f"| {titles[name]} | {spread(speeds, lambda v: f'{v:,.0f}')} | "
          + (spread(ratios, lambda v: f"{v:.2f}×") if name != "one" else "1") + " | "
          + (spread(waits, lambda v: f"{v:.1f}%") if waits else "") + f" | {', '.join(accuracies)} |")
EOF
