import Ember
import Foundation

/// The mel scales torchaudio offers: HTK's `2595·log₁₀(1 + f/700)` (its default), and
/// Slaney's (the Auditory Toolbox, librosa's default): linear below 1 kHz, logarithmic
/// above.
public enum MelScale: String, Sendable, CaseIterable {
    /// `2595 · log₁₀(1 + f / 700)`.
    case htk
    /// `f / (200/3)` below 1,000 Hz, `15 + ln(f / 1000) / (ln 6.4 / 27)` above.
    case slaney

    /// Mels of `hertz`.
    public func mel(_ hertz: Double) -> Double {
        switch self {
        case .htk: return 2595 * log10(1 + hertz / 700)
        case .slaney:
            let linear = hertz / Self.slaneyStep
            return hertz >= Self.slaneyBreak ? Self.slaneyBreakMel + log(hertz / Self.slaneyBreak) / Self.slaneyLogStep : linear
        }
    }

    /// Hertz of `mel`.
    public func hertz(_ mel: Double) -> Double {
        switch self {
        case .htk: return 700 * (pow(10, mel / 2595) - 1)
        case .slaney:
            return mel >= Self.slaneyBreakMel ? Self.slaneyBreak * exp(Self.slaneyLogStep * (mel - Self.slaneyBreakMel)) : mel * Self.slaneyStep
        }
    }

    private static let slaneyStep = 200.0 / 3, slaneyBreak = 1000.0, slaneyBreakMel = 15.0, slaneyLogStep = log(6.4) / 27
}

/// `torchaudio.functional.melscale_fbanks`: `nMels` triangular filters, equally spaced
/// in mels from `fMin` to `fMax`, over `nFreqs` linear frequency bins from 0 to the
/// Nyquist frequency; `[nFreqs, nMels]` float32, so `spectrogramᵀ · fbanks` gives mels.
/// With `slaneyNorm`, each filter is scaled to unit area (torchaudio's `norm="slaney"`).
public func melscaleFbanks(nFreqs: Int, fMin: Double, fMax: Double, nMels: Int, sampleRate: Int,
                           slaneyNorm: Bool = false, melScale: MelScale = .htk) -> Tensor {
    precondition(nFreqs > 1 && nMels > 0 && sampleRate > 0, "melscaleFbanks: need nFreqs > 1, nMels > 0 and a positive sample rate")
    precondition(fMin >= 0 && fMin < fMax, "melscaleFbanks: need 0 ≤ fMin (\(fMin)) < fMax (\(fMax))")
    // torchaudio spaces the bins up to sample_rate // 2 (integer division).
    let nyquist = Double(sampleRate / 2)
    let frequencies = (0..<nFreqs).map { nyquist * Double($0) / Double(nFreqs - 1) }
    let low = melScale.mel(fMin), high = melScale.mel(fMax)
    let edges = (0..<(nMels + 2)).map { melScale.hertz(low + (high - low) * Double($0) / Double(nMels + 1)) }
    var banks = [Float](repeating: 0, count: nFreqs * nMels)
    for m in 0..<nMels {
        let (left, centre, right) = (edges[m], edges[m + 1], edges[m + 2])
        let area = slaneyNorm ? 2 / (right - left) : 1
        for (i, f) in frequencies.enumerated() {
            let rising = (f - left) / (centre - left), falling = (right - f) / (right - centre)
            banks[i * nMels + m] = Float(Swift.max(0, Swift.min(rising, falling)) * area)
        }
    }
    return Tensor(banks, shape: [nFreqs, nMels])
}

/// `torchaudio.transforms.MelSpectrogram`: a `Spectrogram` projected onto mel filters;
/// `[nMels, frames]` or `[batch, nMels, frames]` float32 for a `[time]` or
/// `[batch, time]` waveform.
public struct MelSpectrogram: Sendable {
    /// The underlying spectrogram.
    public let spectrogram: Spectrogram
    /// The filters, `[nFFT / 2 + 1, nMels]`.
    public let fbanks: Tensor
    /// The sample rate the filters are laid out for.
    public let sampleRate: Int

    /// torchaudio's defaults: 16 kHz, `nFFT` 400, `winLength` = `nFFT`, `hopLength` =
    /// `winLength / 2`, 128 mels from 0 Hz to the Nyquist frequency on the HTK scale
    /// without normalisation, power 2.
    public init(sampleRate: Int = 16_000, nFFT: Int = 400, winLength: Int? = nil, hopLength: Int? = nil, fMin: Double = 0,
                fMax: Double? = nil, nMels: Int = 128, power: Double = 2, slaneyNorm: Bool = false, melScale: MelScale = .htk) {
        spectrogram = Spectrogram(nFFT: nFFT, winLength: winLength, hopLength: hopLength, power: power)
        fbanks = melscaleFbanks(nFreqs: nFFT / 2 + 1, fMin: fMin, fMax: fMax ?? Double(sampleRate / 2), nMels: nMels,
                                sampleRate: sampleRate, slaneyNorm: slaneyNorm, melScale: melScale)
        self.sampleRate = sampleRate
    }

    /// Mels of `waveform`.
    public func callAsFunction(_ waveform: Tensor) -> Tensor {
        let power = spectrogram(waveform)
        return withNoGrad { power.transpose(-1, -2).matmul(fbanks).transpose(-1, -2).contiguous() }
    }
}
