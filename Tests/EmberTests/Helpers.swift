import CEmberMath
import XCTest
@testable import Ember

/// Asserts that `t` has `shape` and values within `tolerance` of `expected`.
func assertTensor(_ t: Tensor, _ expected: [Double], shape: [Int]? = nil, tolerance: Double = 1e-5,
                  file: StaticString = #filePath, line: UInt = #line) {
    if let shape { XCTAssertEqual(t.shape, shape, "shape", file: file, line: line) }
    let values = t.doubles
    XCTAssertEqual(values.count, expected.count, "element count", file: file, line: line)
    if let mismatch = firstMismatch(values, expected, tolerance: tolerance) { XCTFail(mismatch, file: file, line: line) }
}

/// The first element where `values` is not within `tolerance` of `expected`, described;
/// a NaN matches only a NaN that is expected there.
func firstMismatch(_ values: [Double], _ expected: [Double], tolerance: Double) -> String? {
    for (i, (a, b)) in zip(values, expected).enumerated() where !(abs(a - b) <= tolerance || (a.isNaN && b.isNaN)) {
        return "element \(i): \(a) != \(b)"
    }
    return nil
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

/// `rows` × `cols` values in [-1, 1] with `leading - cols` NaNs after each row: padding
/// a product must neither read (it would spoil the result) nor write.
func paddedMatrix<T: BinaryFloatingPoint>(_ rows: Int, _ cols: Int, _ leading: Int, _ random: inout SplitMix,
                                          as: T.Type) -> [T] {
    var values = [T](repeating: .nan, count: Swift.max(rows * leading, 1))
    for r in 0..<rows {
        for c in 0..<cols { values[r * leading + c] = T(random.unit() * 2 - 1) }
    }
    return values
}

/// Where `c` (from `c0`) is not `alpha · op(a) · op(b) + beta · c0` of float64 within
/// the error bound of a float product, (k + 2)·ε times the sum of the terms' magnitudes
/// (a NaN is never within it), and where padding changed; at most three, described.
func productMismatches<T: BinaryFloatingPoint>(_ c: [T], _ c0: [T], _ a: [T], _ b: [T], _ m: Int, _ n: Int, _ k: Int,
                                               _ transA: Bool, _ transB: Bool, _ lda: Int, _ ldb: Int, _ ldc: Int,
                                               alpha: Double, beta: Double) -> [String] {
    let eps = Double(T.ulpOfOne)
    var failures: [String] = []
    for i in 0..<m {
        for j in 0..<ldc {
            let got = Double(c[i * ldc + j])
            guard j < n else {
                if !got.isNaN { failures.append("padding (\(i), \(j)) written: \(got)") }
                continue
            }
            var sum = 0.0, magnitude = 0.0
            for p in 0..<k {
                let x = Double(transA ? a[p * lda + i] : a[i * lda + p])
                let y = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                sum += x * y
                magnitude += abs(x * y)
            }
            let start = Double(c0[i * ldc + j])
            let expected = alpha * sum + (beta == 0 ? 0 : beta * start)
            let bound = Double(k + 2) * eps * (abs(alpha) * magnitude + abs(beta * start)) + 1e-30
            if !(abs(got - expected) <= bound) { failures.append("(\(i), \(j)): \(got) vs \(expected)") }
            if failures.count >= 3 { return failures }
        }
    }
    return failures
}

/// A small seeded generator (SplitMix64), so the matrices are the same every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    /// A value in [0, 1).
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}

/// Runs `body` with Ember's C kernels limited to each vector width this CPU has (512,
/// 256, then 0: AVX-512, AVX2, portable), so every version of a kernel is checked on one
/// machine; the full width is restored after.
func inEveryVectorWidth(_ body: (_ bits: Int32) -> Void) {
    defer { ember_limit_kernel_vector_bits(512) }
    for bits: Int32 in [512, 256, 0] where ember_limit_kernel_vector_bits(bits) == bits { body(bits) }
}
