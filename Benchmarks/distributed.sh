#!/usr/bin/env bash
# Data-parallel scaling of CNN training on Fashion-MNIST, one run after another on an
# otherwise idle machine: 1 process × 1 thread, then 2 processes × 1 thread under
# mpirun (shared memory) with gradients averaged during backward and after it, then
# 2 processes over TCP between two network namespaces (scripts/two-hosts; needs root).
#   EMBER_SETUP_MPI=1 scripts/setup && Benchmarks/distributed.sh [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-1}"
out="$(mktemp -d)"
swift build -c release --product ember >/dev/null
.build/release/ember info   # the CPU and BLAS kernel set the figures come from
export OPENBLAS_NUM_THREADS=1 OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
args=(cnn --epochs "$epochs" --threads 1)
report() { grep -E '^(training|epoch [0-9]+:|test accuracy|rank 0 waited)' || true; }
echo "== 1 process × 1 thread"
.build/release/ember train "${args[@]}" --out "$out/one" | report
for overlap in overlap no-overlap; do
    echo "== 2 processes × 1 thread, shared memory, --$overlap"
    mpirun --allow-run-as-root -np 2 .build/release/ember train "${args[@]}" --distributed "--$overlap" --out "$out/two-$overlap" | report
done
if [ "$(id -u)" -eq 0 ]; then
    echo "== 2 processes × 1 thread, TCP between two network namespaces"
    scripts/two-hosts "$out/hosts" "${args[@]}" | report
fi
for run in one two-overlap two-no-overlap hosts/two-hosts; do
    [ -f "$out/$run/summary.json" ] || continue
    python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print(f'{sys.argv[2]:>16}: {s[\"train_samples_per_sec\"]:8.1f} samples/s, test accuracy {100*s[\"test_accuracy\"]:.2f}%')" \
        "$out/$run/summary.json" "$run"
done
