#!/usr/bin/env bash
# Made the model files in legacy/ once, with the last code that wrote Ember's first
# model-file formats (ember-classifier-1, ember-charlm-1, ember-gpt-1, ember-bert-1,
# ember-series-1: hyper-parameters as separate metadata strings). The tests check that
# today's code still loads them. Tiny models on tiny generated data, so the files are
# small; their weights are whatever a few steps left.
#   Tests/EmberModelsTests/Fixtures/make_legacy_files.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"
commit=8f981c3   # "BENCHMARKS: where the LSTM step goes after the fused cell", the last such writer
work="$(mktemp -d)"
trap 'git -C "$repo" worktree remove --force "$work/src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --detach "$work/src" "$commit" >/dev/null
(cd "$work/src" && swift build -c release --product ember >/dev/null)
ember="$work/src/.build/release/ember"

# Fashion-MNIST's file format: class c lights up row band c, plus noise.
python3 - "$work/data" <<'PY'
import os, random, struct, sys
out = sys.argv[1]; os.makedirs(out); random.seed(0)
for prefix, count in (("train", 200), ("t10k", 40)):
    images, labels = bytearray(), bytearray()
    for i in range(count):
        c = i % 10; labels.append(c)
        for row in range(28):
            images += bytes(200 if row // 3 == c else random.randint(0, 60) for _ in range(28))
    open(f"{out}/{prefix}-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, count, 28, 28) + images)
    open(f"{out}/{prefix}-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, count) + labels)
PY
python3 -c "print('To be, or not to be, that is the question.\n' * 40, end='')" > "$work/corpus.txt"

mkdir -p "$here/legacy"
keep() { cp "$work/$1/model.safetensors" "$here/legacy/$2.safetensors"; }
$ember train mlp --data "$work/data" --hidden 12,6 --epochs 1 --out "$work/mlp" >/dev/null; keep mlp mlp-normalized
$ember train perceptron --data "$work/data" --epochs 1 --positive-class 3 --negative-class 7 --val-size 50 --out "$work/perceptron" >/dev/null; keep perceptron perceptron
$ember train charlm --arch gru --embed 4 --hidden 8 --layers 2 --seq-len 8 --steps 2 --eval-every 1 --eval-batches 1 \
    --corpus "$work/corpus.txt" --out "$work/charlm" > /dev/null; keep charlm charlm-gru
$ember train bert --layers 1 --heads 2 --embed 8 --context 8 --steps 2 --eval-every 1 --eval-batches 1 \
    --corpus "$work/corpus.txt" --out "$work/bert" > /dev/null; keep bert bert
$ember train series --arch gru --hidden 4 --window 6 --horizon 2 --epochs 1 --points 300 --out "$work/series" >/dev/null; keep series series
ls -l "$here/legacy"
