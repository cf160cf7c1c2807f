import Ember
import Foundation

/// `torchaudio.transforms.AmplitudeToDB`: `10·log₁₀(max(x, 1e-10))` for a power
/// spectrogram (`20·` for magnitudes), floored at `topDB` below each spectrogram's
/// maximum when set. Same shape as its input (`[…, freq, frames]`).
public struct AmplitudeToDB: Sendable {
    /// Whether the input is a power (`10·log₁₀`) or a magnitude (`20·log₁₀`) spectrogram.
    public let power: Bool
    /// The dynamic range kept below each spectrogram's maximum, if any.
    public let topDB: Double?

    /// torchaudio's defaults: power, no floor.
    public init(power: Bool = true, topDB: Double? = nil) {
        precondition(topDB.map { $0 >= 0 } ?? true, "AmplitudeToDB: topDB must be non-negative, got \(topDB ?? 0)")
        self.power = power
        self.topDB = topDB
    }

    /// Decibels of `x` (`[freq, frames]`, or batched `[…, freq, frames]`: the floor is
    /// per leading index, as torchaudio's for a batch of single-channel spectrograms).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        withNoGrad {
            let decibels = x.clamp(min: 1e-10).log() * ((power ? 10 : 20) / Foundation.log(10.0))
            guard let topDB else { return decibels }
            let rows = x.ndim <= 2 ? 1 : x.shape.dropLast(2).reduce(1, *)
            let flat = decibels.reshape([rows, -1])
            let floor = flat.max(dim: 1, keepDim: true) - topDB
            return flat.maximum(floor).reshape(x.shape)
        }
    }
}

/// `torchaudio.functional.create_dct`: the DCT-II matrix `[nMels, nMFCC]` that maps
/// `nMels` log-mels to `nMFCC` coefficients, orthonormal (`norm="ortho"`) or, unnormalised,
/// scaled by 2.
public func createDCT(nMFCC: Int, nMels: Int, orthonormal: Bool = true) -> Tensor {
    precondition(nMFCC > 0 && nMFCC <= nMels, "createDCT: need 0 < nMFCC (\(nMFCC)) ≤ nMels (\(nMels))")
    var matrix = [Float](repeating: 0, count: nMels * nMFCC)
    for n in 0..<nMels {
        for k in 0..<nMFCC {
            var value = cos(Double.pi / Double(nMels) * (Double(n) + 0.5) * Double(k))
            if orthonormal {
                value *= (k == 0 ? 1 / 2.0.squareRoot() : 1) * (2 / Double(nMels)).squareRoot()
            } else {
                value *= 2
            }
            matrix[n * nMFCC + k] = Float(value)
        }
    }
    return Tensor(matrix, shape: [nMels, nMFCC])
}

/// `torchaudio.transforms.MFCC`: a `MelSpectrogram` in decibels (floored 80 dB below
/// its maximum), or its natural log (`logMels`), then the orthonormal DCT-II;
/// `[nMFCC, frames]` or `[batch, nMFCC, frames]` float32.
public struct MFCC: Sendable {
    /// The mel spectrogram it starts from.
    public let melSpectrogram: MelSpectrogram
    /// The DCT, `[nMels, nMFCC]`.
    public let dct: Tensor
    /// Whether mels are taken as `log(mel + 1e-6)` rather than in decibels.
    public let logMels: Bool

    /// torchaudio's defaults: 40 coefficients over `melSpectrogram` (whose defaults are
    /// `MelSpectrogram`'s), decibels.
    public init(nMFCC: Int = 40, melSpectrogram: MelSpectrogram = MelSpectrogram(), logMels: Bool = false) {
        self.melSpectrogram = melSpectrogram
        dct = createDCT(nMFCC: nMFCC, nMels: melSpectrogram.fbanks.shape[1])
        self.logMels = logMels
    }

    /// The coefficients of `waveform` (`[time]` or `[batch, time]`).
    public func callAsFunction(_ waveform: Tensor) -> Tensor {
        let mels = melSpectrogram(waveform)
        return withNoGrad {
            let logs = logMels ? (mels + 1e-6).log() : AmplitudeToDB(topDB: 80)(mels)
            return logs.transpose(-1, -2).matmul(dct).transpose(-1, -2).contiguous()
        }
    }
}
