import XCTest
@testable import Ember

/// The gradient check itself: it must fail on a wrong gradient and on a NaN or an
/// infinity anywhere, or every other gradient test could pass on a broken op.
final class GradCheckSelfTests: XCTestCase {
    /// `x` times one, whose backward multiplies the upstream gradient by `spoil`
    /// instead of passing it through: the analytic gradient is wrong where `spoil` ≠ 1.
    private func identity(_ x: Tensor, backwardTimes spoil: [Double]) -> Tensor {
        let factor = Tensor(spoil, shape: x.shape)
        return withNoGrad { x.detach() * 1.0 }.recorded("spoiled", [x]) { g in [g * factor] }
    }

    func testPassesACorrectGradient() {
        let x = leaf([2, 3], seed: 1)
        XCTAssertLessThanOrEqual(gradcheck([x]) { identity($0[0], backwardTimes: [Double](repeating: 1, count: 6)) }, 1)
    }

    func testFailsAWrongGradient() {
        let x = leaf([2, 3], seed: 1)
        var factors = [Double](repeating: 1, count: 6)
        factors[4] = 1.01
        XCTAssertGreaterThan(gradcheck([x]) { identity($0[0], backwardTimes: factors) }, 1)
    }

    func testFailsANonFiniteAnalyticGradientAnywhere() {
        for bad in [Double.nan, .infinity] {
            for position in 0..<6 {
                let x = leaf([2, 3], seed: 2)
                var factors = [Double](repeating: 1, count: 6)
                factors[position] = bad
                let mismatch = gradcheck([x]) { identity($0[0], backwardTimes: factors) }
                XCTAssertFalse(mismatch <= 1, "\(bad) at \(position) passed with mismatch \(mismatch)")
            }
        }
    }

    func testFailsANaNInTheFunctionAnywhere() {
        for position in 0..<6 {
            let x = leaf([2, 3], seed: 3), y = leaf([6], seed: 4)
            var shift = [Double](repeating: 0, count: 6)
            shift[position] = .nan
            let offset = Tensor(shift, shape: [2, 3])
            let mismatch = gradcheck([x, y]) { $0[0] * $0[1].reshape([2, 3]) + offset }
            XCTAssertTrue(mismatch.isNaN, "NaN at \(position) gave mismatch \(mismatch)")
        }
    }
}
