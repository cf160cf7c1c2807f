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
