#!/usr/bin/env python3
"""Write a PyTorch state_dict as safetensors that Ember loads by name.

    python3 scripts/export_pytorch.py STATE_DICT.pt OUT.safetensors [--metadata KEY=VALUE ...]

STATE_DICT.pt is what `torch.save(model.state_dict(), ...)` wrote (or a whole pickled
module). Tensors are written contiguous, one copy per name, so a tied weight (nanoGPT's
`lm_head.weight` and `transformer.wte.weight`) appears under both names, as in the
state_dict; Ember's models accept that. With the metadata Ember's own files carry
(`model=cnn classes=10 dropout=0.5 batch_norm=false`, see `ember train`'s
`model.safetensors`), the file works with `ember eval`, `ember predict` and
`ember generate` as it is. Needs `torch` and `safetensors` (pip install torch safetensors).
"""
import argparse

import torch
from safetensors.torch import save_file


def export_state_dict(state_dict, path, metadata=None):
    """Writes `state_dict` (name -> tensor) to the safetensors file `path`, with `metadata` (str -> str)."""
    tensors = {name: t.detach().contiguous().clone() for name, t in state_dict.items()}
    save_file(tensors, str(path), metadata={k: str(v) for k, v in (metadata or {}).items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("state_dict", help="a file written by torch.save(model.state_dict(), ...)")
    parser.add_argument("out", help="the safetensors file to write")
    parser.add_argument("--metadata", nargs="*", default=[], metavar="KEY=VALUE",
                        help="entries of the file's __metadata__ (model=cnn classes=10 ...)")
    args = parser.parse_args()
    loaded = torch.load(args.state_dict, map_location="cpu", weights_only=False)
    state = loaded.state_dict() if isinstance(loaded, torch.nn.Module) else loaded
    if not isinstance(state, dict):
        raise SystemExit(f"{args.state_dict}: holds a {type(loaded).__name__}, not a state_dict or module")
    pairs = [entry.split("=", 1) for entry in args.metadata]
    if any(len(p) != 2 for p in pairs):
        raise SystemExit("--metadata takes KEY=VALUE entries")
    export_state_dict(state, args.out, dict(pairs))
    print(f"wrote {len(state)} tensors to {args.out}")


if __name__ == "__main__":
    main()
