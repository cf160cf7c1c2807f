#!/usr/bin/env bash
# Soak: long training runs with the process's resident memory (VmRSS) sampled every
# 2 s, to show that memory stays flat over thousands of steps (no growth per step from
# the tape, buffer caches, logs or checkpoints). Not a timing: other load does not
# spoil it, but a leak shows as RSS rising from the first quarter of a run to its end.
#   Benchmarks/soak.sh [CHARLM_STEPS] [GPT_STEPS]     # 10,000 and 2,000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
charlm_steps=${1:-10000}
gpt_steps=${2:-2000}
scripts/make_corpus >/dev/null
swift build -c release --product ember >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# soak NAME ARGUMENTS…: trains `ember train ARGUMENTS…`, sampling its RSS, then prints
# the samples at tenths of the run and a verdict line.
soak() {
    local name=$1
    shift
    .build/release/ember train "$@" --out "$out/$name" >"$out/$name.log" 2>&1 &
    local pid=$! started=$SECONDS
    while kill -0 "$pid" 2>/dev/null; do
        local rss step
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        step=$(tail -n 1 "$out/$name/steps.jsonl" 2>/dev/null | sed -n 's/.*"step":\([0-9]*\).*/\1/p' || true)
        [ -n "$rss" ] && echo "$((SECONDS - started)) ${step:-0} $rss" >>"$out/$name.rss"
        sleep 2
    done
    wait "$pid" || { cat "$out/$name.log"; return 1; }
    echo "== ember train $*"
    awk -v name="$name" '
        { t[NR] = $1; s[NR] = $2; r[NR] = $3 / 1024; if (r[NR] > peak) peak = r[NR] }
        END {
            printf "| %-6s | %8s | %8s | %8s |\n", "run", "seconds", "step", "RSS MB"
            printf "|--------|----------|----------|----------|\n"
            for (k = 1; k <= 10; k++) { i = int(NR * k / 10); if (i < 1) i = 1
                printf "| %-6s | %8d | %8d | %8.1f |\n", name, t[i], s[i], r[i] }
            q = int(NR / 4); if (q < 1) q = 1
            printf "%s: %d samples; RSS %.1f MB after a quarter of the run, %.1f MB at its end (%+.1f MB), peak %.1f MB\n",
                   name, NR, r[q], r[NR], r[NR] - r[q], peak
        }' "$out/$name.rss"
}

.build/release/ember info | head -n 3
soak charlm charlm --steps "$charlm_steps" --eval-every 1000
soak gpt gpt --steps "$gpt_steps" --eval-every 500
