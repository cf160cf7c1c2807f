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

    func testOneCoefficientApartIsKubicheksFormula() {
        let dct = createDCT(nMFCC: 14, nMels: 20)                  // [20, 14], orthonormal columns
        let a = Tensor.zeros([5, 20])
        let b = (dct.select(dim: 1, index: 1) * 0.5).unsqueeze(0).expand([5, 20]).contiguous()   // c1 = 0.5
        XCTAssertEqual(mcd(a, b), 10 / log(10.0) * 2.0.squareRoot() * 0.5, accuracy: 1e-5)
        let c = (dct.select(dim: 1, index: 14 - 1) * 0.5).unsqueeze(0).expand([5, 20]).contiguous()
        XCTAssertEqual(mcd(a, c), 10 / log(10.0) * 2.0.squareRoot() * 0.5, accuracy: 1e-5, "c13 counts")
        XCTAssertGreaterThan(mcd(a, Tensor.randn([7, 20], generator: Generator(seed: 2))), 1)
    }
}
