import Ember
import Foundation

/// The short-time Fourier transform of `torch.stft` (with `return_complex` split into
/// real and imaginary parts): frames of `nFFT` samples every `hopLength`, each
/// multiplied by a Hann window of `winLength` centred in the frame, transformed, the
/// `nFFT / 2 + 1` non-negative frequencies kept.
///
/// `signal` is `[time]` or `[batch, time]`; the result is `[freq, frames]` or
/// `[batch, freq, frames]` float32. With `center` (the default, as torchaudio), the
/// signal is first padded by `nFFT / 2` on each side, reflecting it (which needs more
/// than `nFFT / 2` samples), so frame `t` is centred on sample `t · hopLength`.
public func stft(_ signal: Tensor, nFFT: Int, hopLength: Int? = nil, winLength: Int? = nil,
                 center: Bool = true) -> (real: Tensor, imag: Tensor) {
    let winLength = winLength ?? nFFT, hop = hopLength ?? (nFFT / 4)
    precondition(signal.ndim == 1 || signal.ndim == 2, "stft: signal must be [time] or [batch, time], got \(OpMessage.format(signal.shape))")
    precondition(nFFT > 0 && hop > 0 && winLength > 0 && winLength <= nFFT,
                 "stft: need 0 < winLength (\(winLength)) ≤ nFFT (\(nFFT)) and a positive hopLength (\(hop))")
    let rows = signal.ndim == 1 ? 1 : signal.shape[0], length = signal.shape[signal.ndim - 1]
    let padding = center ? nFFT / 2 : 0
    precondition(!center || length > padding, "stft: reflect padding of \(padding) needs more than \(padding) samples, got \(length)")
    precondition(length + 2 * padding >= nFFT, "stft: \(length) samples are fewer than one frame of \(nFFT)")
    let frames = 1 + (length + 2 * padding - nFFT) / hop, bins = nFFT / 2 + 1
    // The window, zero-padded to nFFT and centred, as torch.stft places it.
    var window = [Double](repeating: 0, count: nFFT)
    let offset = (nFFT - winLength) / 2
    for (i, w) in hannWindowValues(winLength).enumerated() { window[offset + i] = w }
    let fft = FFT(size: nFFT)
    let samples = signal.to(.float64).contiguous().doubles
    var re = [Float](repeating: 0, count: rows * bins * frames), im = re
    var frame = [Double](repeating: 0, count: nFFT)
    for row in 0..<rows {
        let x = samples[(row * length)..<((row + 1) * length)]
        for t in 0..<frames {
            for i in 0..<nFFT {
                frame[i] = window[i] * x[x.startIndex + reflected(t * hop + i - padding, length)]
            }
            let (fr, fi) = fft.forward(real: frame)
            for k in 0..<bins {
                re[(row * bins + k) * frames + t] = Float(fr[k])
                im[(row * bins + k) * frames + t] = Float(fi[k])
            }
        }
    }
    let shape = signal.ndim == 1 ? [bins, frames] : [rows, bins, frames]
    return (Tensor(re, shape: shape), Tensor(im, shape: shape))
}

/// The index that reflect padding reads for position `i` of a signal of `length`
/// (`…, 2, 1, 0, 1, 2, …, length − 1, length − 2, …`, without repeating the edges).
func reflected(_ i: Int, _ length: Int) -> Int {
    guard length > 1 else { return 0 }
    let period = 2 * (length - 1)
    var j = i % period
    if j < 0 { j += period }
    return j < length ? j : period - j
}

/// `torchaudio.transforms.Spectrogram`: `|STFT|^power` (2: the power spectrogram, 1:
/// the magnitude), `[freq, frames]` or `[batch, freq, frames]` float32.
public struct Spectrogram: Sendable {
    /// Frame length and FFT size; hop between frames; window length (≤ nFFT).
    public let nFFT: Int, hopLength: Int, winLength: Int
    /// The exponent of the magnitude.
    public let power: Double
    /// Whether frames are centred on their hop positions (reflect padding).
    public let center: Bool

    /// torchaudio's defaults: `nFFT` 400, `winLength` = `nFFT`, `hopLength` =
    /// `winLength / 2`, power 2, centred.
    public init(nFFT: Int = 400, winLength: Int? = nil, hopLength: Int? = nil, power: Double = 2, center: Bool = true) {
        self.nFFT = nFFT
        self.winLength = winLength ?? nFFT
        self.hopLength = hopLength ?? (self.winLength / 2)
        self.power = power
        self.center = center
    }

    /// The spectrogram of `waveform` (`[time]` or `[batch, time]`).
    public func callAsFunction(_ waveform: Tensor) -> Tensor {
        let (re, im) = stft(waveform, nFFT: nFFT, hopLength: hopLength, winLength: winLength, center: center)
        return withNoGrad {
            let squared = re * re + im * im
            return power == 2 ? squared : squared.pow(power / 2)
        }
    }
}
