#!/usr/bin/env python3
"""Load an Ember model file into its PyTorch twin, by name, and check it.

    python3 scripts/load_ember_in_pytorch.py RUN_DIR/model.safetensors

Builds the module that the file's `__metadata__` describes (scripts/pytorch_models.py),
loads the weights with `load_state_dict(strict=True)` (every name and shape must
match; a tied GPT head is one tensor in both) and runs it once on a small input,
printing the parameter count and the output's shape. Needs `torch` and `safetensors`.
"""
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pytorch_models import from_metadata  # noqa: E402


def load(path):
    """The PyTorch module for the Ember file `path`, with its weights, in eval mode."""
    with safe_open(path, "pt") as f:
        meta = f.metadata() or {}
    model = from_metadata(meta)
    model.load_state_dict(load_file(path), strict=True)
    return model.eval(), meta


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    model, meta = load(sys.argv[1])
    if meta["model"] in ("mlp", "cnn"):
        x = torch.zeros(1, 1, 28, 28)
    else:
        x = torch.zeros(1, 8, dtype=torch.long)
    with torch.no_grad():
        y = model(x)
    count = sum(p.numel() for p in model.parameters())
    print(f"{meta['model']}: {count:,} parameters loaded by name; output {tuple(y.shape)}")


if __name__ == "__main__":
    main()
