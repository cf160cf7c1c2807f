import Ember
import EmberAudio
import Foundation
import XCTest

/// From spectrograms back to sound: the inverse STFT undoes the STFT, and Griffin-Lim
/// finds phases whose spectrogram matches the magnitudes it was given.
final class ReconstructionTests: XCTestCase {
    /// A chirp with a little noise, `count` samples at 16 kHz.
    private func chirp(_ count: Int) -> Tensor {
        let noise = Tensor.randn([count], generator: Generator(seed: 3)).floats
        return Tensor((0..<count).map { n -> Float in
            let t = Double(n) / 16_000
            return Float(0.5 * sin(2 * Double.pi * (200 + 1500 * t) * t)) + 0.01 * noise[n]
        })
    }

    func testInverseSTFTUndoesTheSTFT() {
        let x = chirp(3_000)
        for (nFFT, hop, win) in [(400, 200, 400), (512, 128, 400), (256, 64, 256)] {
            let (re, im) = stft(x, nFFT: nFFT, hopLength: hop, winLength: win)
            let y = istft(real: re, imag: im, nFFT: nFFT, hopLength: hop, winLength: win, length: x.numel)
            XCTAssertEqual(y.shape, x.shape)
            XCTAssertLessThan((y - x).abs().max().item(), 1e-5, "\(nFFT)/\(hop)/\(win)")
        }
    }

    /// Spectral convergence `‖ |STFT(y)| − S ‖ / ‖S‖` of Griffin-Lim's waveform.
    func testGriffinLimMatchesTheMagnitudes() {
        let x = chirp(8_000)
        let power = Spectrogram(nFFT: 400)(x)
        let convergence = { (iterations: Int) -> Double in
            let y = GriffinLim(nFFT: 400, iterations: iterations)(power, length: x.numel, generator: Generator(seed: 0))
            let magnitude = Spectrogram(nFFT: 400, power: 1)(y), target = power.sqrt()
            return ((magnitude - target).pow(2).sum().sqrt() / target.pow(2).sum().sqrt()).item()
        }
        let (none, some) = (convergence(0), convergence(32))
        XCTAssertLessThan(some, 0.15, "32 iterations")
        XCTAssertLessThan(some, none / 3, "iterating improves on random phases (\(none) → \(some))")
    }
}

extension ReconstructionTests {
    /// A spectrogram made of the filters themselves is recovered exactly by its mel
    /// projection's minimum-norm inverse; any spectrogram's inverse projects back onto
    /// its mels, and is never negative.
    func testInverseMelScaleSolvesTheProjection() {
        let inverse = InverseMelScale(nStft: 201, nMels: 40)
        let weights = Tensor.rand([40, 3], generator: Generator(seed: 1))
        let spectrogram = inverse.fbanks.matmul(weights)
        let mels = inverse.fbanks.mT.matmul(spectrogram)
        let recovered = inverse(mels)
        XCTAssertEqual(recovered.shape, [201, 3])
        XCTAssertLessThan((recovered - spectrogram).abs().max().item(), 1e-4 * spectrogram.abs().max().item())
        let power = Spectrogram(nFFT: 400)(chirp(4_000))
        let melSpectrogram = MelSpectrogram(nMels: 40)
        let estimate = inverse(melSpectrogram(chirp(4_000)))
        XCTAssertGreaterThanOrEqual(estimate.min().item(), 0)
        XCTAssertEqual(estimate.shape, power.shape)
        // With many mels over few bins some filters are empty: still solvable.
        XCTAssertTrue(InverseMelScale(nStft: 201, nMels: 128)(MelSpectrogram()(chirp(4_000))).allFinite)
    }
}
