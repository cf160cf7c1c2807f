"""Reference values for EmberAudio's tests, computed independently with numpy's FFT
(pocketfft) and scipy's windows, following torchaudio's definitions and defaults
(Spectrogram, melscale_fbanks, MelSpectrogram, AmplitudeToDB, create_dct, MFCC).

    python3 Tests/EmberAudioTests/Fixtures/make_audio_fixtures.py

writes audio_fixtures.json beside this script. Run once; the output is committed.
"""
import json
import math
import os

import numpy as np
from scipy.signal import get_window

rng = np.random.default_rng(0)


def hz_to_mel(f, scale):
    if scale == "htk":
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f = np.asarray(f, dtype=np.float64)
    mels = f / (200.0 / 3)
    logstep = math.log(6.4) / 27.0
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-300) / 1000.0) / logstep, mels)


def mel_to_hz(m, scale):
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    m = np.asarray(m, dtype=np.float64)
    logstep = math.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), m * 200.0 / 3)


def fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm, scale):
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    m_pts = np.linspace(hz_to_mel(f_min, scale), hz_to_mel(f_max, scale), n_mels + 2)
    f_pts = mel_to_hz(m_pts, scale)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = np.maximum(0.0, np.minimum(down, up))
    if norm:
        fb *= (2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels]))[None, :]
    return fb


def power_spectrogram(x, n_fft, hop, win):
    pad = n_fft // 2
    padded = np.pad(x, pad, mode="reflect")
    window = np.zeros(n_fft)
    offset = (n_fft - win) // 2
    window[offset:offset + win] = get_window("hann", win, fftbins=True)
    frames = 1 + (len(padded) - n_fft) // hop
    spec = np.stack([np.fft.rfft(window * padded[t * hop:t * hop + n_fft]) for t in range(frames)], axis=1)
    return spec


def amplitude_to_db(x, top_db):
    db = 10.0 * np.log10(np.maximum(x, 1e-10))
    if top_db is not None:
        db = np.maximum(db, db.max() - top_db)
    return db


def dct_matrix(n_mfcc, n_mels):
    n = np.arange(n_mels)
    k = np.arange(n_mfcc)[:, None]
    dct = np.cos(math.pi / n_mels * (n + 0.5) * k)
    dct[0] *= 1.0 / math.sqrt(2.0)
    dct *= math.sqrt(2.0 / n_mels)
    return dct.T


fixtures = {"fft": [], "stft": [], "fbanks": []}
for n in [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 30, 49, 97, 128, 400, 512]:
    z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    out = np.fft.fft(z)
    fixtures["fft"].append({"n": n, "re": z.real.tolist(), "im": z.imag.tolist(),
                            "out_re": out.real.tolist(), "out_im": out.imag.tolist()})

# A quarter of a second of a 16 kHz chirp with noise.
t = np.arange(4000) / 16000.0
signal = 0.5 * np.sin(2 * math.pi * (200 + 1500 * t) * t) + 0.05 * rng.standard_normal(t.size)
fixtures["signal"] = signal.tolist()
for n_fft, hop, win, length in [(400, 200, 400, 1600), (512, 128, 400, 1600), (64, 16, 64, 400)]:
    spec = power_spectrogram(signal[:length], n_fft, hop, win)
    fixtures["stft"].append({"n_fft": n_fft, "hop": hop, "win": win, "length": length,
                             "re": spec.real.tolist(), "im": spec.imag.tolist()})

for n_freqs, f_min, f_max, n_mels, rate, norm, scale in [
        (201, 0.0, 8000.0, 40, 16000, False, "htk"),
        (201, 0.0, 8000.0, 40, 16000, True, "slaney"),
        (129, 20.0, 7600.0, 32, 16000, True, "htk"),
        (257, 0.0, 11025.0, 40, 22050, False, "slaney")]:
    fixtures["fbanks"].append({"n_freqs": n_freqs, "f_min": f_min, "f_max": f_max, "n_mels": n_mels, "rate": rate,
                               "norm": norm, "scale": scale,
                               "values": fbanks(n_freqs, f_min, f_max, n_mels, rate, norm, scale).tolist()})

# torchaudio's defaults: MelSpectrogram(16000, n_fft=400, hop 200, 128 mels, HTK), then
# AmplitudeToDB(top_db=80) and MFCC(n_mfcc=40).
power = np.abs(power_spectrogram(signal, 400, 200, 400)) ** 2
mel = fbanks(201, 0.0, 8000.0, 128, 16000, False, "htk").T @ power
log_mel = amplitude_to_db(mel, 80.0)
fixtures["log_mel"] = log_mel.tolist()
fixtures["mfcc"] = (dct_matrix(40, 128).T @ log_mel).tolist()

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "audio_fixtures.json")
def rounded(value):
    """Ten significant digits: far finer than the tests' tolerances, half the bytes."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


with open(path, "w") as f:
    json.dump(rounded(fixtures), f, separators=(",", ":"))
print("wrote", path, os.path.getsize(path), "bytes")
