import XCTest
@testable import Ember

/// float32 exp, sigmoid, tanh and GELU of contiguous tensors run through `CEmberMath`'s
/// polynomials (sixteen lanes at a time with AVX-512, eight with AVX2, scalar for the
/// rest); in every vector width the CPU has, they must stay within a few ulp of float64
/// over the whole range, tails included.
final class VectorMathTests: XCTestCase {
    private func assertRelativeError(_ op: (Tensor) -> Tensor, _ name: String, ulps: Double) {
        let specials: [Float] = [0, 1e-8, -1e-8, 1e-3, -1e-3, 0.6249, 0.6251, -0.6251, 86.5, -86.5, 88.5, -88.5, 100, -100, .infinity, -.infinity]
        let values = Tensor.linspace(-60, 60, steps: 40_001).scalars(as: Float.self) + specials
        let x = Tensor(values)
        let single = op(x).to(.float64).doubles, double = op(x.to(.float64)).doubles
        for (i, (a, b)) in zip(single, double).enumerated() {
            // float64's answer rounded to float32 is what a correctly rounded float32 gives.
            let expected = Double(Float(b))
            if expected.isInfinite {
                XCTAssertEqual(a, expected, "\(name)(\(values[i]))")
            } else {
                XCTAssertLessThanOrEqual(abs(a - expected), ulps * 1.2e-7 * abs(expected) + 1e-37, "\(name)(\(values[i])) = \(a), float64 gives \(b)")
            }
        }
        XCTAssertTrue(op(Tensor([Float.nan])).item().isNaN, "\(name)(nan)")
        // A strided view takes the element-by-element path: the same function.
        let strided = Tensor(values.prefix(40_000).map { $0 }, shape: [200, 200]).transpose(0, 1)
        let reference = op(strided.to(.float64))
        XCTAssertLessThan(((op(strided).to(.float64) - reference).abs() / (reference.abs() + 1e-30)).max().item(), 1e-6, name)
    }

    func testExpSigmoidTanhStayWithinAFewUlps() {
        inEveryVectorWidth { bits in
            assertRelativeError({ $0.exp() }, "exp (\(bits)-bit vectors)", ulps: 4)
            assertRelativeError({ $0.sigmoid() }, "sigmoid (\(bits)-bit vectors)", ulps: 4)
            assertRelativeError({ $0.tanh() }, "tanh (\(bits)-bit vectors)", ulps: 4)
        }
    }

    func testGELUAndItsGradientFollowFloat64() {
        inEveryVectorWidth { bits in checkGELU(bits) }
    }

    private func checkGELU(_ bits: Int32) {
        // e^(−x²/2) carries the rounding of x² (relative error about x² · 2⁻²⁴), so the
        // bound grows with x²; beyond |x| = 13 the tail is below float32's normal range.
        // The portable loops round every multiply and add apart (no FMA): two ulp more.
        let ulps: Double = bits == 0 ? 6 : 4
        let values = Tensor.linspace(-13, 13, steps: 26_001).scalars(as: Float.self) + [0, 1e-8, -1e-8, 1.4142, -1.4142, 2.8284, -2.8284]
        let x = Tensor(values)
        let wide = x.to(.float64)
        let y = x.gelu().to(.float64).doubles, expected = wide.gelu().doubles
        for (i, (a, b)) in zip(y, expected).enumerated() {
            let v = Double(values[i])
            XCTAssertLessThanOrEqual(abs(a - b), (ulps + v * v) * 1.2e-7 * abs(b) + 1e-37, "gelu(\(v)) = \(a), float64 gives \(b) (\(bits)-bit vectors)")
        }
        let g = Tensor.randn([values.count], generator: Generator(seed: 2))
        let fused = Kernels.geluBackward(x, g).to(.float64).doubles
        let reference = Kernels.geluBackward(wide, g.to(.float64)).doubles
        // The gradient g (Φ(x) + x φ(x)) cancels near x = −0.75: its error is relative
        // to the size of the two terms, not of their sum.
        let gs = g.to(.float64).doubles
        for (i, (a, b)) in zip(fused, reference).enumerated() {
            let v = Double(values[i])
            let terms = abs(gs[i]) * (0.5 * erfc(-v / 2.0.squareRoot()) + abs(v) * exp(-v * v / 2) / (2 * Double.pi).squareRoot())
            XCTAssertLessThanOrEqual(abs(a - b), (ulps + v * v) * 1.2e-7 * terms + 1e-30, "gelu'(\(v)) = \(a), float64 gives \(b) (\(bits)-bit vectors)")
        }
        XCTAssertTrue(Tensor([Float.nan]).gelu().item().isNaN)
        XCTAssertEqual(Tensor([Float.infinity]).gelu().item(), .infinity)
    }

    func testSoftmaxRowsSumToOne() {
        let x = Tensor.randn([50, 77], generator: Generator(seed: 3)) * 10
        let p = x.softmax(dim: 1)
        XCTAssertLessThan((p.sum(dim: 1) - 1).abs().max().item(), 3e-6)
        XCTAssertLessThan((x.logSoftmax(dim: 1).exp() - p).abs().max().item(), 3e-6)
    }
}
