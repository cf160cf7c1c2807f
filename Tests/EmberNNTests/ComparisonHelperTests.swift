import XCTest

/// The comparison the fixture tests rest on must fail on a NaN wherever it is.
final class ComparisonHelperTests: XCTestCase {
    func testLargestDifferenceIsNaNForANaNAnywhere() {
        let reference: [Double] = [1, -2, 3, 0.5, 4]
        XCTAssertEqual(largestDifference(reference, reference.map { $0 + 0.25 }), 0.25)
        for position in reference.indices {
            for side in 0..<2 {
                var spoiled = reference
                spoiled[position] = .nan
                let worst = side == 0 ? largestDifference(spoiled, reference) : largestDifference(reference, spoiled)
                XCTAssertFalse(worst <= 1e-9, "NaN at \(position) on side \(side) gave \(worst)")
            }
        }
    }
}
