import CEmberMath
import XCTest
@testable import Ember

/// Ember's own packed product (`CEmberMath`'s `ember_gemm_packed`, behind
/// `PackedMatrix`) against float64, in every vector width this CPU runs: odd sizes
/// around its tiles and panels, plain and transposed right operands, writing and
/// accumulating, padded rows that must be neither read nor written.
final class PackedMatrixTests: XCTestCase {
    func testProductsMatchFloat64InEveryVectorWidth() {
        var random = SplitMix(seed: 7)
        // The last shape passes the kernel's cache blocks: more rows than an A block (48)
        // and more depth than a panel block (a quarter of L2 in rows of 32 floats).
        let depth = Swift.max(CPU.current.caches.l2, 256 << 10) / 512 * 2 + 3
        let shapes = [(1, 1, 1), (1, 32, 7), (3, 5, 2), (8, 32, 64), (9, 33, 17), (13, 64, 1), (17, 70, 129), (32, 128, 256),
                      (6, 16, 5), (7, 31, 40), (50, 40, depth)]
        inEveryVectorWidth { bits in
            for (index, (m, n, k)) in shapes.enumerated() {
                for transposed in [false, true] {
                    let accumulate = (index + (transposed ? 1 : 0)) % 2 == 1
                    let pad = index % 3
                    let (br, bc) = transposed ? (n, k) : (k, n)
                    let lda = k + pad, ldb = bc + pad, ldc = n + pad
                    let a = paddedMatrix(m, k, lda, &random, as: Float.self), b = paddedMatrix(br, bc, ldb, &random, as: Float.self)
                    var c = paddedMatrix(m, n, ldc, &random, as: Float.self)
                    let c0 = c
                    b.withUnsafeBufferPointer { pb in
                        let packed = PackedMatrix(pb.baseAddress!, leading: ldb, transposed: transposed, k: k, n: n, pack: true)
                        a.withUnsafeBufferPointer { pa in
                            c.withUnsafeMutableBufferPointer { pc in
                                packed.multiply(m: m, pa.baseAddress!, lda: lda, into: pc.baseAddress!, ldc: ldc, accumulate: accumulate)
                            }
                        }
                    }
                    let failures = productMismatches(c, c0, a, b, m, n, k, false, transposed, lda, ldb, ldc,
                                                     alpha: 1, beta: accumulate ? 1 : 0)
                    XCTAssertEqual(failures, [], "\(bits)-bit vectors, \(m)×\(n)×\(k), transposed \(transposed), accumulate \(accumulate)")
                }
            }
        }
    }

    func testTheLayoutIsPanelsOfThirtyTwoColumns() {
        // B = [[1, 2, 3], [4, 5, 6]] (k 2, n 3): one panel, rows of 32 with zeros past column 3.
        let b: [Float] = [1, 2, 3, 4, 5, 6]
        XCTAssertEqual(ember_packed_size(2, 3), 64)
        XCTAssertEqual(ember_packed_size(2, 33), 128)
        var packed = [Float](repeating: .nan, count: 64)
        ember_pack(b, 3, 0, 2, 3, &packed)
        XCTAssertEqual(Array(packed[0..<4]), [1, 2, 3, 0])
        XCTAssertEqual(Array(packed[32..<36]), [4, 5, 6, 0])
        XCTAssertTrue(packed.allSatisfy { !$0.isNaN })
        ember_pack(b, 2, 1, 2, 3, &packed)   // the same six numbers read as the transpose of a [3, 2] matrix
        XCTAssertEqual(Array(packed[0..<3]), [1, 3, 5])
        XCTAssertEqual(Array(packed[32..<35]), [2, 4, 6])
    }
}
