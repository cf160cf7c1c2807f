import Ember
import Foundation

/// Mel-cepstral distortion between two utterances, in decibels, after aligning their
/// frames by dynamic time warping: how far a synthesised voice is from a reference.
///
/// Each frame's natural-log mel spectrum `L₀ … L_{M−1}` becomes its mel cepstrum,
/// `c_d = (1/M) Σ_m L_m cos(π d (m + ½) / M)`, so that the spectrum is
/// `c₀ + 2 Σ_d c_d cos(d ω)` along the mel axis: the coefficients mel-cepstral analysis
/// gives and Kubichek's constant assumes. (These are the orthonormal DCT-II's,
/// ``createDCT(nMFCC:nMels:orthonormal:)``, divided by `√(2M)`; left orthonormal, the
/// distortion would grow with the number of bands.) `c₀`, the loudness, is left out.
/// Two frames differ by `(10 / ln 10) · √(2 Σ_{d=1}^{D} (c_d − c'_d)²)` dB (Kubichek's
/// MCD), and the distortion is the mean over the cheapest monotonic path that pairs
/// every frame of each with some frame of the other (steps of one frame in either or
/// both), so a copy spoken at another pace scores 0.
public struct MelCepstralDistortion: Sendable {
    /// Coefficients compared, `c₁ … c_D`.
    public let coefficients: Int

    /// Compares `c₁ … c₁₃`, the usual choice for speech.
    public init(coefficients: Int = 13) {
        precondition(coefficients > 0, "MelCepstralDistortion: coefficients must be positive, got \(coefficients)")
        self.coefficients = coefficients
    }

    /// The distortion between log-mels `a` `[F₁, nMels]` and `b` `[F₂, nMels]` (natural
    /// log; the same bands), in dB.
    public func callAsFunction(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.ndim == 2 && b.ndim == 2 && a.shape[1] == b.shape[1] && a.shape[0] > 0 && b.shape[0] > 0,
                     "MelCepstralDistortion: log-mels \(OpMessage.format(a.shape)) and \(OpMessage.format(b.shape)) must be [frames, nMels] with the same bands")
        let bands = a.shape[1]
        precondition(coefficients < bands, "MelCepstralDistortion: \(coefficients) coefficients need more than \(bands) bands")
        let dct = createDCT(nMFCC: coefficients + 1, nMels: bands).to(.float64) / Double(2 * bands).squareRoot()   // [nMels, D + 1]
        let (x, y) = (a.to(.float64).matmul(dct), b.to(.float64).matmul(dct))            // [F, D + 1]
        let d = coefficients
        let (cx, cy) = (x.narrow(dim: 1, start: 1, length: d).contiguous().doubles, y.narrow(dim: 1, start: 1, length: d).contiguous().doubles)
        let (n, m) = (a.shape[0], b.shape[0])
        let scale = 10 / Foundation.log(10.0) * 2.0.squareRoot()
        func cost(_ i: Int, _ j: Int) -> Double {
            var sum = 0.0
            for k in 0..<d { let e = cx[i * d + k] - cy[j * d + k]; sum += e * e }
            return scale * sum.squareRoot()
        }
        // total[i][j]: the cheapest path to (i, j); steps[i][j]: its length in pairs.
        var total = [Double](repeating: .infinity, count: n * m), steps = [Int](repeating: 0, count: n * m)
        for i in 0..<n {
            for j in 0..<m {
                let here = cost(i, j)
                if i == 0 && j == 0 { (total[0], steps[0]) = (here, 1); continue }
                var best = Double.infinity, length = 0
                for (pi, pj) in [(i - 1, j - 1), (i - 1, j), (i, j - 1)] where pi >= 0 && pj >= 0 && total[pi * m + pj] < best {
                    (best, length) = (total[pi * m + pj], steps[pi * m + pj])
                }
                (total[i * m + j], steps[i * m + j]) = (best + here, length + 1)
            }
        }
        return total[n * m - 1] / Double(steps[n * m - 1])
    }
}
