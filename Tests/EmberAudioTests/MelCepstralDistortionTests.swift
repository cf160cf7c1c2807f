import Ember
import EmberAudio
import XCTest

/// Mel-cepstral distortion: zero for the same utterance at any pace, Kubichek's
/// `(10 / ln 10) · √2 · |Δc₁|` for frames that differ in one coefficient, and loudness
/// (`c₀`) ignored.
final class MelCepstralDistortionTests: XCTestCase {
    private let mcd = MelCepstralDistortion(coefficients: 13)

    func testTheSameUtteranceAtAnotherPaceScoresZero() {
        let a = Tensor.randn([12, 20], generator: Generator(seed: 1))
        XCTAssertEqual(mcd(a, a), 0, accuracy: 1e-12)
        let slower = a.repeatInterleave(Tensor([Int64](repeating: 2, count: 12)), dim: 0)    // every frame twice
        XCTAssertEqual(mcd(a, slower), 0, accuracy: 1e-12)
        XCTAssertEqual(mcd(a, a + 3), 0, accuracy: 1e-4, "a constant gain moves only c0")
    }

    /// A log spectrum `2a · cos(π d (m + ½) / M)` over `M` bands is the cepstral
    /// coefficient `c_d = a` alone, so it lies `(10 / ln 10) · √2 · |a|` dB from a flat one
    /// whatever the number of bands.
    func testOneCoefficientApartIsKubicheksFormula() {
        func cosine(_ d: Int, amplitude a: Double, bands: Int) -> Tensor {
            let row = (0..<bands).map { Float(2 * a * cos(Double.pi * Double(d) * (Double($0) + 0.5) / Double(bands))) }
            return Tensor(Array((0..<5).map { _ in row }.joined()), shape: [5, bands])
        }
        let kubichek = 10 / log(10.0) * 2.0.squareRoot() * 0.5
        for bands in [20, 80] {
            let flat = Tensor.zeros([5, bands])
            XCTAssertEqual(mcd(flat, cosine(1, amplitude: 0.5, bands: bands)), kubichek, accuracy: 1e-5, "c1 over \(bands) bands")
            XCTAssertEqual(mcd(flat, cosine(13, amplitude: -0.5, bands: bands)), kubichek, accuracy: 1e-5, "c13 over \(bands) bands")
            XCTAssertEqual(mcd(flat, cosine(14, amplitude: 0.5, bands: bands)), 0, accuracy: 1e-5, "c14 is not compared")
        }
        XCTAssertGreaterThan(mcd(Tensor.zeros([5, 20]), Tensor.randn([7, 20], generator: Generator(seed: 2))), 0.5)
    }
}
