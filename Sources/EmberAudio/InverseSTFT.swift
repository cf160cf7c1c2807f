import Ember
import Foundation

/// `torch.istft`: the signal whose short-time Fourier transform is `(real, imag)`
/// (`[freq, frames]`, `freq = nFFT / 2 + 1`), by overlap-adding each frame's inverse
/// transform under the same Hann window and dividing by the summed squared window, so
/// that `istft(stft(x)) == x` wherever the windows overlap enough (hop ≤ winLength / 2).
/// With `center`, the `nFFT / 2` samples of padding `stft` added are cut; `length`
/// trims or zero-pads the result. `[time]` float32.
public func istft(real: Tensor, imag: Tensor, nFFT: Int, hopLength: Int? = nil, winLength: Int? = nil,
                  center: Bool = true, length: Int? = nil) -> Tensor {
    let winLength = winLength ?? nFFT, hop = hopLength ?? (nFFT / 4), bins = nFFT / 2 + 1
    precondition(real.shape == imag.shape && real.ndim == 2 && real.shape[0] == bins,
                 "istft: real \(OpMessage.format(real.shape)) and imag \(OpMessage.format(imag.shape)) must both be [\(bins), frames]")
    precondition(hop > 0 && winLength > 0 && winLength <= nFFT, "istft: need 0 < winLength (\(winLength)) ≤ nFFT (\(nFFT)) and a positive hop")
    let frames = real.shape[1]
    var window = [Double](repeating: 0, count: nFFT)
    for (i, w) in hannWindowValues(winLength).enumerated() { window[(nFFT - winLength) / 2 + i] = w }
    let re = real.to(.float64).contiguous().doubles, im = imag.to(.float64).contiguous().doubles
    let total = nFFT + hop * Swift.max(frames - 1, 0)
    var signal = [Double](repeating: 0, count: total), envelope = signal
    let fft = FFT(size: nFFT)
    var frameRe = [Double](repeating: 0, count: bins), frameIm = frameRe
    for t in 0..<frames {
        for k in 0..<bins {
            frameRe[k] = re[k * frames + t]
            frameIm[k] = im[k * frames + t]
        }
        let samples = fft.inverse(re: frameRe, im: frameIm)
        for i in 0..<nFFT {
            signal[t * hop + i] += samples[i] * window[i]
            envelope[t * hop + i] += window[i] * window[i]
        }
    }
    let start = center ? nFFT / 2 : 0
    let end = length.map { start + $0 } ?? (center ? total - nFFT / 2 : total)
    let out = (start..<Swift.max(end, start)).map { i -> Float in
        guard i < total, envelope[i] > 1e-11 else { return 0 }
        return Float(signal[i] / envelope[i])
    }
    return Tensor(out)
}

/// `torchaudio.transforms.GriffinLim`: a waveform whose spectrogram has the given
/// magnitudes, its phases found by Griffin and Lim's iteration (transform back, take
/// the phases of the result's transform) with the fast variant's momentum. `spectrogram`
/// is `[nFFT / 2 + 1, frames]` of `|STFT|^power`; the result is `[time]` float32.
public struct GriffinLim: Sendable {
    /// The STFT's frame, hop and window lengths.
    public let nFFT: Int, hopLength: Int, winLength: Int
    /// The exponent the spectrogram's magnitudes carry (2 for power).
    public let power: Double
    /// Iterations.
    public let iterations: Int
    /// The fast Griffin-Lim momentum (0: the plain algorithm).
    public let momentum: Double

    /// torchaudio's defaults: `nFFT` 400, `winLength` = `nFFT`, `hopLength` =
    /// `winLength / 2`, power 2, 32 iterations, momentum 0.99.
    public init(nFFT: Int = 400, winLength: Int? = nil, hopLength: Int? = nil, power: Double = 2, iterations: Int = 32,
                momentum: Double = 0.99) {
        precondition(iterations >= 0 && momentum >= 0 && momentum < 1 && power > 0,
                     "GriffinLim: need iterations ≥ 0, momentum in [0, 1) and a positive power")
        self.nFFT = nFFT
        self.winLength = winLength ?? nFFT
        self.hopLength = hopLength ?? (self.winLength / 2)
        self.power = power
        self.iterations = iterations
        self.momentum = momentum
    }

    /// A waveform of `length` samples (by default as many as the frames imply) whose
    /// spectrogram approximates `spectrogram`; the first phases are drawn from `generator`.
    public func callAsFunction(_ spectrogram: Tensor, length: Int? = nil, generator: Generator = .default) -> Tensor {
        precondition(spectrogram.ndim == 2 && spectrogram.shape[0] == nFFT / 2 + 1,
                     "GriffinLim: spectrogram \(OpMessage.format(spectrogram.shape)) must be [\(nFFT / 2 + 1), frames]")
        let magnitude = spectrogram.to(.float64).clamp(min: 0).pow(1 / power).contiguous().doubles
        let shape = spectrogram.shape
        // torchaudio starts from complex numbers with uniform real and imaginary parts.
        var angleRe = Tensor.rand(shape, dtype: .float64, generator: generator).doubles
        var angleIm = Tensor.rand(shape, dtype: .float64, generator: generator).doubles
        var previousRe = [Double](repeating: 0, count: magnitude.count), previousIm = previousRe
        let samples = length ?? hopLength * (shape[1] - 1)
        func waveform() -> Tensor {
            istft(real: Tensor(zip(magnitude, angleRe).map(*), shape: shape), imag: Tensor(zip(magnitude, angleIm).map(*), shape: shape),
                  nFFT: nFFT, hopLength: hopLength, winLength: winLength, length: samples)
        }
        for _ in 0..<iterations {
            let (re, im) = stft(waveform(), nFFT: nFFT, hopLength: hopLength, winLength: winLength)
            precondition(re.shape == shape, "GriffinLim: \(samples) samples give \(re.shape[1]) frames, not the spectrogram's \(shape[1])")
            let rebuiltRe = re.to(.float64).doubles, rebuiltIm = im.to(.float64).doubles
            let carry = momentum / (1 + momentum)
            for i in 0..<magnitude.count {
                let a = rebuiltRe[i] - carry * previousRe[i], b = rebuiltIm[i] - carry * previousIm[i]
                let norm = (a * a + b * b).squareRoot() + 1e-16
                (angleRe[i], angleIm[i]) = (a / norm, b / norm)
            }
            (previousRe, previousIm) = (rebuiltRe, rebuiltIm)
        }
        return waveform()
    }
}
