import XCTest
@testable import Ember

/// Asserts that `t` has `shape` and values within `tolerance` of `expected`.
func assertTensor(_ t: Tensor, _ expected: [Double], shape: [Int]? = nil, tolerance: Double = 1e-5,
                  file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(t.shape, shape, "shape", file: file, line: line) }
    let values = t.doubles
    XCTAssertEqual(values.count, expected.count, "element count", file: file, line: line)
    for (i, (a, b)) in zip(values, expected).enumerated() where !(abs(a - b) <= tolerance || (a.isNaN && b.isNaN)) {
        XCTFail("element \(i): \(a) != \(b)", file: file, line: line)
        return
    }
}

/// A float64 leaf of `shape` with seeded normal values, requiring grad.
func leaf(_ shape: [Int], seed: UInt64 = 7, scale: Double = 1, shift: Double = 0) -> Tensor {
    let t = Tensor.randn(shape, dtype: .float64, generator: Generator(seed: seed)) * scale + shift
    return t.detach().contiguous().requiringGrad()
}

/// Asserts that `f`'s gradients match finite differences for `inputs`.
func assertGradients(_ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                     _ f: @escaping ([Tensor]) -> Tensor) {
    let mismatch = gradcheck(inputs, f)
    XCTAssertLessThanOrEqual(mismatch, 1, "gradient mismatch ratio \(mismatch)", file: file, line: line)
}
