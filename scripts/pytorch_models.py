"""PyTorch twins of Ember's models (EmberModels), with the same parameter names.

Each class here is the module whose state_dict Ember's model of the same name reads
and writes: `MLP` (nn.Sequential names `0.weight`, `2.weight`, ...), `CNN` (`c1`, `c2`,
`f1`, `f2`, as the peer benchmark), `CharRNN` (`emb`, `rnn`, `head`), `GPT`
(nanoGPT's `transformer.wte` ... `lm_head`), `DigitRecognizer` (`input_norm`,
`conv1`..`bn3` or `gru`, `head`) and `Synthesizer` (`embedding`, `encoder.i`,
`duration.i`, `duration_head`, `position`, `decoder.i`, `mel_head`). `from_metadata` builds the one an Ember
safetensors file's `__metadata__` describes (the metadata Ember's `ember train`
writes, and `export_pytorch.py --metadata` sets).
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _standardize(x, normalization):
    """(x - mean) / std for a (mean, std) pair, x itself for None (Ember's InputNormalization)."""
    return x if normalization is None else (x - normalization[0]) / normalization[1]


def MLP(in_features=784, hidden=(256, 128), classes=10, dropout=0.0, normalization=None):
    """[Standardize,] flatten, then Linear-ReLU(-Dropout) per hidden size, then Linear: [N, ...] -> [N, classes]."""
    layers, width = [], in_features
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout > 0 else [])
        width = h
    model = _FlatSequential(*layers, nn.Linear(width, classes))
    model.normalization = normalization
    return model


class _FlatSequential(nn.Sequential):
    """nn.Sequential over [N, features], standardizing (when `normalization` is set) and flattening its input first (Ember's MLP)."""

    normalization = None

    def forward(self, x):
        return super().forward(_standardize(x, self.normalization).flatten(1))


class CNN(nn.Module):
    """[standardize-]conv(1->32)-[BN]-ReLU-pool-conv(32->64)-[BN]-ReLU-pool-fc(3136->128)-ReLU-dropout-fc: [N, 1, 28, 28] -> [N, classes].

    `normalization` is Ember's InputNormalization as a (mean, std) pair: constants, not state."""

    def __init__(self, classes=10, dropout=0.5, batch_norm=False, normalization=None):
        super().__init__()
        self.normalization = normalization
        self.c1 = nn.Conv2d(1, 32, 3, padding=1, bias=not batch_norm)
        self.bn1 = nn.BatchNorm2d(32) if batch_norm else None
        self.c2 = nn.Conv2d(32, 64, 3, padding=1, bias=not batch_norm)
        self.bn2 = nn.BatchNorm2d(64) if batch_norm else None
        self.f1 = nn.Linear(3136, 128)
        self.drop = nn.Dropout(dropout)
        self.f2 = nn.Linear(128, classes)

    def forward(self, x):
        x = self.c1(_standardize(x, self.normalization))
        if self.bn1 is not None:
            x = self.bn1(x)
        x = F.max_pool2d(F.relu(x), 2)
        x = self.c2(x)
        if self.bn2 is not None:
            x = self.bn2(x)
        x = F.max_pool2d(F.relu(x), 2)
        x = self.drop(F.relu(self.f1(x.flatten(1))))
        return self.f2(x)


class CharRNN(nn.Module):
    """Embedding-(LSTM|GRU|RNN)-Linear over characters: tokens [B, T] -> logits [B, T, V]."""

    def __init__(self, vocab, arch="lstm", embed=64, hidden=256, layers=1, dropout=0.0):
        super().__init__()
        self.emb = nn.Embedding(vocab, embed)
        cells = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
        self.rnn = cells[arch](embed, hidden, num_layers=layers, dropout=dropout, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x):
        return self.head(self.rnn(self.emb(x))[0])


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.n_head = n_head

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, bias):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention(n_embd, n_head, bias)
        self.ln_2 = nn.LayerNorm(n_embd, bias=bias)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
        self.mlp.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    """nanoGPT's model: tokens [B, T] -> logits [B, T, V]; the head tied to wte when `tied`."""

    def __init__(self, vocab_size, block_size, n_layer, n_head, n_embd, bias=True, tied=True):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, bias) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd, bias=bias)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        if tied:
            self.transformer.wte.weight = self.lm_head.weight
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(idx.size(1)))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


class DigitRecognizer(nn.Module):
    """Ember's spoken-digit recognizer: [N, 1, n_mels, T] log-mels -> [N, classes].

    Batch norm of the bands, then a 1-D CNN (conv-BN-ReLU-pool twice, conv-BN-ReLU) or a
    2-layer GRU over the frames, the frames' mean and maximum side by side, dropout and
    a linear head."""

    def __init__(self, arch="cnn", n_mels=40, width=64, dropout=0.1, classes=10):
        super().__init__()
        self.arch = arch
        self.input_norm = nn.BatchNorm1d(n_mels)
        if arch == "cnn":
            self.conv1 = nn.Conv1d(n_mels, width, 5, padding="same", bias=False)
            self.bn1 = nn.BatchNorm1d(width)
            self.conv2 = nn.Conv1d(width, 2 * width, 5, padding="same", bias=False)
            self.bn2 = nn.BatchNorm1d(2 * width)
            self.conv3 = nn.Conv1d(2 * width, 2 * width, 3, padding="same", bias=False)
            self.bn3 = nn.BatchNorm1d(2 * width)
            features = 4 * width
        else:
            self.gru = nn.GRU(n_mels, width, num_layers=2, batch_first=True)
            features = 2 * width
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(features, classes)

    def forward(self, x):
        x = self.input_norm(x.squeeze(1) if x.dim() == 4 else x)
        if self.arch == "cnn":
            x = F.max_pool1d(F.relu(self.bn1(self.conv1(x))), 2)
            x = F.max_pool1d(F.relu(self.bn2(self.conv2(x))), 2)
            x = F.relu(self.bn3(self.conv3(x)))
        else:
            x = self.gru(x.transpose(1, 2))[0].transpose(1, 2)
        return self.head(self.drop(torch.cat([x.mean(2), x.amax(2)], 1)))


class ConvBlock(nn.Module):
    """Conv1d ("same") - ReLU - dropout, the input added back (unless not residual), then
    layer norm over the channels: [N, C, T] -> [N, C, T]."""

    def __init__(self, channels, kernel_size, dropout, residual=True):
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size, padding="same")
        self.norm = nn.LayerNorm(channels)
        self.drop = nn.Dropout(dropout)
        self.residual = residual

    def forward(self, x):
        h = self.drop(F.relu(self.conv(x)))
        return self.norm((x + h if self.residual else h).transpose(1, 2)).transpose(1, 2)


class Synthesizer(nn.Module):
    """Ember's speech synthesizer, a convolutional FastSpeech: [N, 2, T] int64 (phoneme
    ids, then each one's frames) -> mels [N, F, n_mels].

    Encoder blocks over the phoneme embeddings; a duration predictor (two blocks without
    the residual, a linear head) giving log(1 + frames); the length regulator repeats
    each phoneme's column its frames and adds a linear map of the frame's place within
    its phoneme ((i + 0.5) / d; 0 on padding); decoder blocks and a linear head."""

    longest_phoneme = 100

    def __init__(self, phonemes, width=128, encoder_layers=3, decoder_layers=3, kernel_size=5, n_mels=80, dropout=0.1):
        super().__init__()
        self.embedding = nn.Embedding(phonemes + 1, width)
        self.encoder = nn.ModuleList(ConvBlock(width, kernel_size, dropout) for _ in range(encoder_layers))
        self.duration = nn.ModuleList(ConvBlock(width, 3, dropout, residual=False) for _ in range(2))
        self.duration_head = nn.Linear(width, 1)
        self.position = nn.Linear(1, width)
        self.decoder = nn.ModuleList(ConvBlock(width, kernel_size, dropout) for _ in range(decoder_layers))
        self.mel_head = nn.Linear(width, n_mels)

    def encode(self, ids):
        """ids [N, T] -> encoder features [N, C, T], predicted log(1 + frames) [N, T]."""
        h = self.embedding(ids).transpose(1, 2)
        for block in self.encoder:
            h = block(h)
        d = h
        for block in self.duration:
            d = block(d)
        return h, self.duration_head(d.transpose(1, 2)).squeeze(2)

    def regulate(self, h, frames):
        """[N, C, T] and frames [N, T] -> [N, C, F], F the most frames of any row."""
        longest = int(frames.sum(1).max())
        rows, places = [], []
        for n in range(h.shape[0]):
            stretched = torch.repeat_interleave(h[n], frames[n], dim=1)
            rows.append(F.pad(stretched, (0, longest - stretched.shape[1])))
            place = [(i + 0.5) / d for d in frames[n].tolist() for i in range(d)]
            places.append(place + [0.0] * (longest - len(place)))
        place = self.position(torch.tensor(places).unsqueeze(2)).transpose(1, 2)
        return torch.stack(rows) + place

    def decode(self, x):
        for block in self.decoder:
            x = block(x)
        return self.mel_head(x.transpose(1, 2))

    def forward_with_durations(self, ids, frames):
        h, log_durations = self.encode(ids)
        return self.decode(self.regulate(h, frames)), log_durations

    def forward(self, x):
        return self.forward_with_durations(x[:, 0], x[:, 1])[0]

    def loss(self, inputs, targets):
        """Mel L1 over real frames plus log-duration MSE over real phonemes (id > 0)."""
        ids, frames = inputs[:, 0], inputs[:, 1]
        mels, log_durations = self.forward_with_durations(ids, frames)
        f = min(mels.shape[1], targets.shape[1])
        mask = (torch.arange(f).unsqueeze(0) < frames.sum(1).unsqueeze(1)).float()
        mel_error = ((mels[:, :f] - targets[:, :f]).abs() * mask.unsqueeze(2)).sum() / (mask.sum() * mels.shape[2]).clamp(min=1)
        real = (ids > 0).float()
        duration_error = ((log_durations - (frames.float() + 1).log()) ** 2 * real).sum() / real.sum().clamp(min=1)
        return mel_error + duration_error

    @torch.no_grad()
    def synthesize(self, ids):
        """One utterance's ids [T] -> mels [F, n_mels], each phoneme as long as predicted."""
        h, log_durations = self.encode(ids.unsqueeze(0))
        frames = (log_durations.double().exp() - 1).round().clamp(1, self.longest_phoneme).long()
        return self.decode(self.regulate(h, frames))[0]


def from_metadata(meta):
    """The module an Ember model file's `__metadata__` (a dict of strings) describes: its
    `config` (JSON, the format Ember writes now), or, in the first format, one string
    per hyper-parameter (which `export_pytorch.py --metadata` sets)."""
    if "config" in meta:
        return from_config(json.loads(meta["config"]))
    model = meta.get("model")
    flag = lambda key: meta[key] == "true"
    normalization = (float(meta["input_mean"]), float(meta["input_std"])) if "input_mean" in meta else None
    if model == "mlp":
        hidden = tuple(int(h) for h in meta["hidden"].split(","))
        return MLP(784, hidden, int(meta["classes"]), float(meta["dropout"]), normalization)
    if model == "cnn":
        return CNN(int(meta["classes"]), float(meta["dropout"]), flag("batch_norm"), normalization)
    vocab = len(meta.get("vocabulary", ""))
    if model == "charlm":
        return CharRNN(vocab, meta["arch"], int(meta["embed"]), int(meta["hidden"]), int(meta["layers"]), float(meta["dropout"]))
    if model == "gpt":
        return GPT(vocab, int(meta["context"]), int(meta["layers"]), int(meta["heads"]), int(meta["embed"]),
                   flag("bias"), flag("tied"))
    raise SystemExit(f"no PyTorch twin for model {model!r} (mlp, cnn, charlm, gpt)")


def from_config(c):
    """The module an Ember model config (the JSON of a model file's `config`) describes."""
    kind = c["kind"]
    norm = c.get("normalization")
    normalization = (norm["mean"], norm["std"]) if norm else None
    if kind == "mlp":
        return MLP(c["in_features"], tuple(c["hidden"]), c["classes"], c["dropout"], normalization)
    if kind == "cnn":
        return CNN(c["classes"], c["dropout"], c["batch_norm"], normalization)
    if kind == "charlm":
        return CharRNN(c["vocab_size"], c["arch"], c["embed"], c["hidden"], c["layers"], c["dropout"])
    if kind == "gpt":
        return GPT(c["vocab_size"], c["block_size"], c["n_layer"], c["n_head"], c["n_embd"], c["bias"], c["tied_weights"])
    if kind == "recognizer":
        return DigitRecognizer(c["arch"], c["n_mels"], c["width"], c["dropout"], c["classes"])
    if kind == "synthesizer":
        return Synthesizer(len(c["phonemes"]), c["width"], c["encoder_layers"], c["decoder_layers"], c["kernel_size"],
                           c["n_mels"], c["dropout"])
    raise SystemExit(f"no PyTorch twin for model {kind!r} (mlp, cnn, charlm, gpt, recognizer, synthesizer)")
