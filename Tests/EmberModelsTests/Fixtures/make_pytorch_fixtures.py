"""Makes the PyTorch weight-exchange fixtures for PyTorchExchangeTests.swift.

    python3 Tests/EmberTrainTests/Fixtures/make_pytorch_fixtures.py   (torch 2.x, safetensors)

For each of a small MLP, the CNN (with batch norm, so buffers travel too), a two-layer
character LSTM, a tied nanoGPT, the spoken-digit recognizer (CNN and GRU) and the speech
synthesizer, all built from scripts/pytorch_models.py:
- NAME.safetensors: the state_dict, written by scripts/export_pytorch.py with the
  `__metadata__` Ember's own model files carry, so Ember rebuilds the model from the file;
- NAME_io.safetensors: `input` and PyTorch's eval-mode `output` for it (float32); the
  synthesizer's also holds `log_durations`, the `loss` for `targets`, and the mels
  `synthesized` for the first row's ids with predicted durations.
Weights are trained for a few Adam steps on random data first, so they are not just
an initialisation, and batch norm's running statistics have moved.
"""
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "scripts"))
from export_pytorch import export_state_dict  # noqa: E402
from pytorch_models import CNN, GPT, MLP, CharRNN, DigitRecognizer, Synthesizer  # noqa: E402

torch.manual_seed(0)
VOCAB = "\n !',.:;?abcdeh"


def make(name, model, metadata, inputs, targets, fresh_input):
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(5):
        logits = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        output = model(fresh_input)
    export_state_dict(model.state_dict(), HERE / f"{name}.safetensors", metadata)
    save_file({"input": fresh_input.contiguous(), "output": output.contiguous()}, str(HERE / f"{name}_io.safetensors"))
    print(name, sum(p.numel() for p in model.parameters()), "parameters, output", tuple(output.shape))


images = torch.rand(16, 1, 28, 28)
labels = torch.randint(0, 10, (16,))
make("mlp", MLP(784, (64, 32), 10), {"model": "mlp", "format": "ember-classifier-1", "classes": 10,
                                      "hidden": "64,32", "dropout": 0.0},
     images, labels, torch.rand(4, 1, 28, 28))
make("cnn", CNN(10, 0.5, batch_norm=True), {"model": "cnn", "format": "ember-classifier-1", "classes": 10,
                                             "dropout": 0.5, "batch_norm": "true"},
     images, labels, torch.rand(4, 1, 28, 28))

tokens = torch.randint(0, len(VOCAB), (4, 12))
make("lstm", CharRNN(len(VOCAB), "lstm", embed=8, hidden=16, layers=2),
     {"model": "charlm", "format": "ember-charlm-1", "arch": "lstm", "vocabulary": VOCAB,
      "embed": 8, "hidden": 16, "layers": 2, "dropout": 0.0},
     tokens[:, :-1], tokens[:, 1:], torch.randint(0, len(VOCAB), (3, 10)))
make("gpt", GPT(len(VOCAB), block_size=16, n_layer=2, n_head=2, n_embd=16, bias=True, tied=True),
     {"model": "gpt", "format": "ember-gpt-1", "vocabulary": VOCAB, "layers": 2, "heads": 2, "embed": 16,
      "context": 16, "dropout": 0.0, "bias": "true", "tied": "true"},
     tokens[:, :-1], tokens[:, 1:], torch.randint(0, len(VOCAB), (3, 16)))

# The spoken-digit recognizers, in today's format (the config as JSON): log-mel-like
# inputs in decibels, both architectures, widths small enough to commit.
mels = torch.randn(16, 1, 12, 30) * 10 - 40
digits = torch.randint(0, 10, (16,))
for name, arch in [("recognizer", "cnn"), ("recognizer_gru", "gru")]:
    config = {"kind": "recognizer", "arch": arch, "n_mels": 12, "width": 6, "dropout": 0.1, "classes": 10}
    make(name, DigitRecognizer(arch, 12, 6, 0.1, 10),
         {"format": "ember-model-2", "model": "recognizer", "config": json.dumps(config, separators=(",", ":"))},
         mels, digits, torch.randn(3, 1, 12, 30) * 10 - 40)

# The speech synthesizer: six phonemes, rows of 5, 4 and 3 ids (zero-padded) lasting 1 to
# 5 frames, log-mel-like targets; trained on its own loss so the durations mean something.
phonemes = ["@", "_", "f", "i:", "s", "t"]
config = {"kind": "synthesizer", "phonemes": phonemes, "lexicon": {}, "ending": [], "width": 8,
          "encoder_layers": 2, "decoder_layers": 2, "kernel_size": 3, "n_mels": 5, "dropout": 0.1}
synthesizer = Synthesizer(len(phonemes), 8, 2, 2, 3, 5, 0.1)
ids = torch.tensor([[1, 3, 4, 6, 2], [5, 2, 6, 1, 0], [3, 4, 2, 0, 0]])
frames = torch.randint(1, 6, ids.shape) * (ids > 0)
inputs = torch.stack([ids, frames], 1)                                   # [3, 2, 5] int64
targets = torch.randn(3, int(frames.sum(1).max()), 5) - 4
opt = torch.optim.Adam(synthesizer.parameters(), lr=1e-2)
synthesizer.train()
for _ in range(30):
    loss = synthesizer.loss(inputs, targets)
    opt.zero_grad()
    loss.backward()
    opt.step()
synthesizer.eval()
with torch.no_grad():
    output, log_durations = synthesizer.forward_with_durations(ids, frames)
    loss = synthesizer.loss(inputs, targets)
synthesized = synthesizer.synthesize(ids[0])
export_state_dict(synthesizer.state_dict(), HERE / "synthesizer.safetensors",
                  {"format": "ember-model-2", "model": "synthesizer", "config": json.dumps(config, separators=(",", ":"))})
save_file({"input": inputs.contiguous(), "output": output.contiguous(), "log_durations": log_durations.contiguous(),
           "targets": targets.contiguous(), "loss": loss.reshape(1), "synthesized": synthesized.contiguous()},
          str(HERE / "synthesizer_io.safetensors"))
print("synthesizer", sum(p.numel() for p in synthesizer.parameters()), "parameters, output", tuple(output.shape),
      "synthesized", tuple(synthesized.shape))
