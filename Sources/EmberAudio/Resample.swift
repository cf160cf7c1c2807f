import Ember
import Foundation

/// `torchaudio.transforms.Resample` (its default, `sinc_interp_hann`): band-limited
/// resampling from `origFreq` to `newFreq` by a polyphase filter bank, one windowed-sinc
/// filter per output phase, cut off at `rolloff` of the lower Nyquist frequency and
/// `lowpassFilterWidth` zero crossings wide. Both rates are reduced by their greatest
/// common divisor first, so 22,050 → 16,000 Hz runs 320 phases over steps of 441 samples.
public struct Resample: Sendable {
    /// The rates, reduced by their greatest common divisor.
    public let origFreq: Int, newFreq: Int
    /// Samples of padding each side of a step (the filters' half width).
    private let width: Int
    /// The filters, `[newFreq, 2·width + origFreq]` float32.
    private let kernel: Tensor

    /// The most filter coefficients a resampler builds (64 MB of float32): rates whose
    /// reduced ratio needs more (44,101 → 16,000 Hz would take 2.8 GB) are refused.
    public static let maxKernelElements = 1 << 24

    /// Filter coefficients a resampler from `origFreq` to `newFreq` needs (phases × taps),
    /// or nil if the count overflows.
    public static func kernelElements(origFreq: Int, newFreq: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) -> Int? {
        let (orig, new, width) = reduced(origFreq, newFreq, lowpassFilterWidth, rolloff)
        let (taps, o1) = (2 * width).addingReportingOverflow(orig)
        let (elements, o2) = taps.multipliedReportingOverflow(by: new)
        return o1 || o2 ? nil : elements
    }

    /// Whether a resampler between these rates stays within `maxKernelElements`.
    public static func isPractical(origFreq: Int, newFreq: Int) -> Bool {
        origFreq > 0 && newFreq > 0 && (kernelElements(origFreq: origFreq, newFreq: newFreq).map { $0 <= maxKernelElements } ?? false)
    }

    /// A resampler from `origFreq` to `newFreq` Hz (both positive, `isPractical`).
    public init(origFreq: Int, newFreq: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) {
        precondition(origFreq > 0 && newFreq > 0, "Resample: rates must be positive, got \(origFreq) and \(newFreq)")
        precondition(lowpassFilterWidth > 0 && rolloff > 0 && rolloff <= 1, "Resample: need lowpassFilterWidth > 0 and rolloff in (0, 1]")
        let elements = Self.kernelElements(origFreq: origFreq, newFreq: newFreq, lowpassFilterWidth: lowpassFilterWidth, rolloff: rolloff)
        precondition(elements.map { $0 <= Self.maxKernelElements } ?? false,
                     "Resample: \(origFreq) → \(newFreq) Hz needs more than \(Self.maxKernelElements) filter coefficients")
        let (orig, new, width) = Self.reduced(origFreq, newFreq, lowpassFilterWidth, rolloff)
        (self.origFreq, self.newFreq, self.width) = (orig, new, width)
        let baseFreq = Double(Swift.min(orig, new)) * rolloff
        let taps = 2 * width + orig, zeros = Double(lowpassFilterWidth)
        var filters = [Float](repeating: 0, count: new * taps)
        for phase in 0..<new {
            for i in 0..<taps {
                // Time of tap i from output phase `phase`, in units of the cut-off's period.
                var t = (Double(i - width) / Double(orig) - Double(phase) / Double(new)) * baseFreq
                t = Swift.min(Swift.max(t, -zeros), zeros)
                let window = pow(cos(t * Double.pi / zeros / 2), 2)
                let sinc = t == 0 ? 1 : sin(Double.pi * t) / (Double.pi * t)
                filters[phase * taps + i] = Float(sinc * window * baseFreq / Double(orig))
            }
        }
        kernel = Tensor(filters, shape: [new, taps])
    }

    /// The rates divided by their greatest common divisor, and the filters' half width.
    private static func reduced(_ origFreq: Int, _ newFreq: Int, _ lowpassFilterWidth: Int, _ rolloff: Double) -> (orig: Int, new: Int, width: Int) {
        var (a, b) = (origFreq, newFreq)
        while b != 0 { (a, b) = (b, a % b) }
        let (orig, new) = (origFreq / a, newFreq / a)
        let width = Int((Double(lowpassFilterWidth) * Double(orig) / (Double(Swift.min(orig, new)) * rolloff)).rounded(.up))
        return (orig, new, width)
    }

    /// `waveform` (`[time]` or `[channels, time]`) at the new rate: `⌈time · new / orig⌉`
    /// samples a channel, float32.
    public func callAsFunction(_ waveform: Tensor) -> Tensor {
        precondition(waveform.ndim == 1 || waveform.ndim == 2, "Resample: waveform must be [time] or [channels, time], got \(OpMessage.format(waveform.shape))")
        if origFreq == newFreq { return waveform }
        let rows = waveform.ndim == 1 ? 1 : waveform.shape[0], length = waveform.shape[waveform.ndim - 1]
        let samples = waveform.to(.float32).contiguous().floats
        let taps = 2 * width + origFreq, padded = length + 2 * width + origFreq
        let steps = (padded - taps) / origFreq + 1, target = (newFreq * length + origFreq - 1) / origFreq
        // Every step's window of the zero-padded signal, one row each: [rows · steps, taps].
        var windows = [Float](repeating: 0, count: rows * steps * taps)
        for row in 0..<rows {
            for step in 0..<steps {
                for i in 0..<taps {
                    let source = step * origFreq + i - width
                    if source >= 0 && source < length { windows[(row * steps + step) * taps + i] = samples[row * length + source] }
                }
            }
        }
        let out = withNoGrad { Tensor(windows, shape: [rows * steps, taps]).matmul(kernel.mT) }
        let resampled = out.reshape([rows, steps * newFreq]).narrow(dim: 1, start: 0, length: target)
        return waveform.ndim == 1 ? resampled.reshape([target]) : resampled.contiguous()
    }
}
