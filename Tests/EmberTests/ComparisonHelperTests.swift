import XCTest
@testable import Ember

/// The other comparisons the tests rest on fail on a NaN wherever it is.
final class ComparisonHelperTests: XCTestCase {
    func testFirstMismatchFindsANaNAnywhere() {
        let expected: [Double] = [1, -2, 3, 0.5]
        XCTAssertNil(firstMismatch(expected.map { $0 + 1e-7 }, expected, tolerance: 1e-6))
        for position in expected.indices {
            var values = expected
            values[position] = .nan
            XCTAssertEqual(firstMismatch(values, expected, tolerance: 1e-6), "element \(position): nan != \(expected[position])")
            XCTAssertNotNil(firstMismatch(expected, values, tolerance: 1e-6), "expected NaN at \(position)")
        }
        XCTAssertNil(firstMismatch([1, .nan], [1, .nan], tolerance: 0), "a NaN where one is expected")
    }

    func testProductMismatchesFindANaNAnywhere() {
        var random = SplitMix(seed: 3)
        let a = paddedMatrix(3, 4, 4, &random, as: Double.self), b = paddedMatrix(4, 2, 2, &random, as: Double.self)
        var c = [Double](repeating: 0, count: 6)
        for i in 0..<3 {
            for j in 0..<2 { c[i * 2 + j] = (0..<4).reduce(0) { $0 + a[i * 4 + $1] * b[$1 * 2 + j] } }
        }
        let zero = [Double](repeating: 0, count: 6)
        func mismatches(_ c: [Double]) -> [String] {
            productMismatches(c, zero, a, b, 3, 2, 4, false, false, 4, 2, 2, alpha: 1, beta: 0)
        }
        XCTAssertEqual(mismatches(c), [])
        for position in c.indices {
            var spoiled = c
            spoiled[position] = .nan
            XCTAssertEqual(mismatches(spoiled).count, 1, "NaN at \(position)")
        }
    }
}
