import XCTest
@testable import Ember

/// OpenBLAS under every kernel set this machine can run: matrix products against a
/// float64 reference (odd sizes, every transpose, beta ≠ 0, padded leading dimensions
/// whose padding must be neither read nor written), and the kernel-set choice itself,
/// with OpenBLAS made to pick a fallback as it does on CPUs newer than it knows.
final class BLASKernelSetTests: XCTestCase {
    /// Kernel sets to check and the CPU features their kernels need. OpenBLAS 0.3.21
    /// cannot select Cooperlake by name (it reaches it only through its own feature
    /// fallback), so that set is checked where switching to it works.
    private static let kernelSets: [(name: String, needs: Set<CPUFeature>, mustSwitch: Bool)] = [
        ("Prescott", [.sse3], true),
        ("Nehalem", [.sse3, .ssse3, .sse4_1, .sse4_2], true),
        ("Sandybridge", [.avx], true),
        ("Haswell", [.avx, .avx2, .fma], true),
        ("Zen", [.avx, .avx2, .fma], true),
        ("SkylakeX", [.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl], true),
        ("Cooperlake", [.avx512f, .avx512dq, .avx512cd, .avx512bw, .avx512vl, .avx512_bf16], false),
    ]

    private var original = ""

    override func setUpWithError() throws {
        guard CPU.current.architecture == "x86_64" else { throw XCTSkip("kernel sets are chosen on x86-64 only") }
        guard !OpenBLAS.switchableKernelSets.isEmpty else { throw XCTSkip("this OpenBLAS cannot switch kernel sets") }
        original = OpenBLAS.configured.core
    }

    override func tearDown() {
        if !original.isEmpty { XCTAssertTrue(OpenBLAS.switchKernels(to: original), "restoring \(original)") }
    }

    func testProductsMatchFloat64UnderEveryKernelSet() {
        var checked: [String] = []
        for set in Self.kernelSets where CPU.current.features.isSuperset(of: set.needs)
            && OpenBLAS.switchableKernelSets.contains(set.name) {
            guard OpenBLAS.switchKernels(to: set.name) else {
                if set.mustSwitch { XCTFail("cannot switch to \(set.name): OpenBLAS runs \(OpenBLAS.coreName)") }
                continue
            }
            checkProducts(Float.self, kernels: set.name)
            checkProducts(Double.self, kernels: set.name)
            checkTensorProducts(kernels: set.name)
            checked.append(set.name)
        }
        XCTAssertTrue(checked.contains("Prescott"), "checked \(checked)")
        if CPU.current.vectorISA == .avx512 { XCTAssertTrue(checked.contains("SkylakeX"), "checked \(checked)") }
    }

    func testAFallbackPickGivesWayToTheKernelsTheFeaturesCallFor() throws {
        let wanted = CPU.current.vectorISA
        guard wanted > .sse else { throw XCTSkip("an SSE-only CPU keeps OpenBLAS's own pick") }
        // What OpenBLAS 0.3.21 does on an Intel Xeon of family 6 model 207.
        XCTAssertTrue(OpenBLAS.switchKernels(to: "Prescott"))
        let choice = OpenBLAS.chooseKernels(userOverride: nil)
        XCTAssertEqual(choice.openBLASPick, "Prescott")
        XCTAssertTrue(choice.switches, choice.reason)
        XCTAssertEqual(OpenBLAS.coreName, choice.core)
        XCTAssertEqual(BLASKernelChoice.isa(ofKernelSet: choice.core), wanted, choice.reason)
        checkProducts(Float.self, kernels: choice.core)

        // With OPENBLAS_CORETYPE set, the user's kernels stay.
        XCTAssertTrue(OpenBLAS.switchKernels(to: "Prescott"))
        let kept = OpenBLAS.chooseKernels(userOverride: "Prescott")
        XCTAssertFalse(kept.switches)
        XCTAssertEqual(OpenBLAS.coreName, "Prescott")
    }

    /// `c = alpha · op(a) · op(b) + beta · c` through `T.gemm` (OpenBLAS directly) and
    /// `Kernels.gemm` (Ember's split across threads), against float64.
    private func checkProducts<T: BLASElement>(_: T.Type, kernels: String) {
        var random = SplitMix(seed: 42)
        let shapes = [(1, 1, 1), (1, 7, 5), (7, 1, 3), (3, 5, 1), (2, 3, 4), (15, 17, 16), (33, 31, 65), (64, 64, 64),
                      (97, 130, 33), (160, 150, 130)]
        for (index, (m, n, k)) in shapes.enumerated() {
            for transA in [false, true] {
                for transB in [false, true] {
                    let pad = (index + (transA ? 1 : 0) + (transB ? 2 : 0)) % 4
                    let beta: T = [0, 0.5, -1][(index + (transB ? 1 : 0)) % 3]
                    let direct = (index + (transA ? 1 : 0)) % 2 == 0
                    let alpha: T = direct ? 0.75 : 1
                    let (ar, ac) = transA ? (k, m) : (m, k), (br, bc) = transB ? (n, k) : (k, n)
                    let lda = ac + pad, ldb = bc + pad, ldc = n + pad
                    // Padding holds NaN: reading it would spoil the product, writing it would be seen.
                    let a = paddedMatrix(ar, ac, lda, &random, as: T.self), b = paddedMatrix(br, bc, ldb, &random, as: T.self)
                    var c = paddedMatrix(m, n, ldc, &random, as: T.self)
                    let c0 = c
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                if direct {
                                    T.gemm(transA, transB, m, n, k, alpha, pa.baseAddress!, lda, pb.baseAddress!, ldb, beta,
                                           pc.baseAddress!, ldc)
                                } else {
                                    Kernels.gemm(transA, transB, m, n, k, pa.baseAddress!, lda, pb.baseAddress!, ldb,
                                                 pc.baseAddress!, ldc, beta: beta)
                                }
                            }
                        }
                    }
                    let what = "\(kernels) \(T.self) \(m)×\(n)×\(k) transA \(transA) transB \(transB) beta \(beta) pad \(pad)"
                    let failures = productMismatches(c, c0, a, b, m, n, k, transA, transB, lda, ldb, ldc,
                                                     alpha: Double(alpha), beta: Double(beta))
                    XCTAssertEqual(failures, [], what)
                }
            }
        }
    }

    /// Ember's matmul on transposed views and batches under the current kernels.
    private func checkTensorProducts(kernels: String) {
        let a = Tensor.randn([3, 9, 13], dtype: .float64, generator: Generator(seed: 1))
        let b = Tensor.randn([3, 11, 9], dtype: .float64, generator: Generator(seed: 2))
        let expected = a.transpose(1, 2).matmul(b.transpose(1, 2))
        let product = a.to(.float32).transpose(1, 2).matmul(b.to(.float32).transpose(1, 2))
        XCTAssertEqual(product.shape, [3, 13, 11])
        let errors = zip(product.doubles, expected.doubles).map { abs($0 - $1) }
        XCTAssertTrue(errors.allSatisfy { $0 <= 1e-5 }, "\(kernels): batched float32 matmul off by \(errors.filter { !($0 <= 1e-5) })")
    }
}
