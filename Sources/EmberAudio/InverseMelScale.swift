import Ember
import Foundation

/// `torchaudio.transforms.InverseMelScale`: a linear-frequency spectrogram whose mel
/// projection is the given one, the least-squares solution of smallest norm (as
/// `torch.linalg.lstsq` gives for these underdetermined systems), negative values set to
/// zero. `[nMels, frames]` in, `[nFreqs, frames]` out, float32.
public struct InverseMelScale: Sendable {
    /// The mel filters, `[nFreqs, nMels]`.
    public let fbanks: Tensor
    /// `fbanks · (fbanksᵀ · fbanks)⁻¹`, `[nFreqs, nMels]`: the minimum-norm inverse.
    private let pseudoInverse: Tensor

    /// The inverse of `MelSpectrogram`'s projection with these settings (torchaudio's
    /// defaults: 16 kHz, 128 HTK mels from 0 Hz to the Nyquist frequency).
    public init(nStft: Int, nMels: Int = 128, sampleRate: Int = 16_000, fMin: Double = 0, fMax: Double? = nil,
                slaneyNorm: Bool = false, melScale: MelScale = .htk) {
        fbanks = melscaleFbanks(nFreqs: nStft, fMin: fMin, fMax: fMax ?? Double(sampleRate / 2), nMels: nMels,
                                sampleRate: sampleRate, slaneyNorm: slaneyNorm, melScale: melScale)
        let f = fbanks.to(.float64)
        // A filter that covers no bin (many mels over few bins) makes the Gram matrix
        // singular: a ridge a billionth of its mean diagonal keeps it solvable.
        var gram = f.mT.matmul(f).contiguous().doubles
        let ridge = 1e-9 * Swift.max((0..<nMels).map { gram[$0 * nMels + $0] }.reduce(0, +) / Double(nMels), 1e-30)
        for i in 0..<nMels { gram[i * nMels + i] += ridge }
        let inverse = Self.choleskyInverse(gram, nMels)
        pseudoInverse = f.matmul(Tensor(inverse, shape: [nMels, nMels])).to(.float32)
    }

    /// The spectrogram behind `melSpectrogram` (`[nMels, frames]`).
    public func callAsFunction(_ melSpectrogram: Tensor) -> Tensor {
        precondition(melSpectrogram.ndim == 2 && melSpectrogram.shape[0] == fbanks.shape[1],
                     "InverseMelScale: mel spectrogram \(OpMessage.format(melSpectrogram.shape)) must be [\(fbanks.shape[1]), frames]")
        return withNoGrad { pseudoInverse.matmul(melSpectrogram.to(.float32)).relu() }
    }

    /// The inverse of the symmetric positive-definite `n × n` matrix `a` (row-major), by
    /// its Cholesky factor.
    private static func choleskyInverse(_ a: [Double], _ n: Int) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diagonal = a[j * n + j]
            for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
            l[j * n + j] = Swift.max(diagonal, 1e-300).squareRoot()
            for i in (j + 1)..<n {
                var sum = a[i * n + j]
                for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = sum / l[j * n + j]
            }
        }
        // Solve L·Lᵀ·X = I column by column.
        var inverse = [Double](repeating: 0, count: n * n)
        var y = [Double](repeating: 0, count: n)
        for column in 0..<n {
            for i in 0..<n {
                var sum = i == column ? 1.0 : 0
                for k in 0..<i { sum -= l[i * n + k] * y[k] }
                y[i] = sum / l[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var sum = y[i]
                for k in (i + 1)..<n { sum -= l[k * n + i] * inverse[k * n + column] }
                inverse[i * n + column] = sum / l[i * n + i]
            }
        }
        return inverse
    }
}
