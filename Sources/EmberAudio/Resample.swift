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

    /// A resampler from `origFreq` to `newFreq` Hz (both positive).
    public init(origFreq: Int, newFreq: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) {
        precondition(origFreq > 0 && newFreq > 0, "Resample: rates must be positive, got \(origFreq) and \(newFreq)")
        precondition(lowpassFilterWidth > 0 && rolloff > 0 && rolloff <= 1, "Resample: need lowpassFilterWidth > 0 and rolloff in (0, 1]")
        var (a, b) = (origFreq, newFreq)
        while b != 0 { (a, b) = (b, a % b) }
        let (orig, new) = (origFreq / a, newFreq / a)
        (self.origFreq, self.newFreq) = (orig, new)
        let baseFreq = Double(Swift.min(orig, new)) * rolloff
        let width = Int((Double(lowpassFilterWidth) * Double(orig) / baseFreq).rounded(.up))
        self.width = width
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
