import Foundation
import XCTest

/// `ember info` and `ember bench` say which CPU, BLAS kernel set and threads run, and
/// why that kernel set; the kernel set follows the CPU's features unless
/// `OPENBLAS_CORETYPE` says otherwise.
final class MachineCommandTests: XCTestCase {
    private func bench(_ environment: [String: String?]) throws -> [String: Any] {
        let result = try runEmber(["bench", "--json", "--trials", "1"], environment: environment)
        XCTAssertEqual(result.status, 0, result.err)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], result.out)
    }

    func testInfoSaysWhatRuns() throws {
        let info = try runEmber(["info"])
        XCTAssertEqual(info.status, 0, info.err)
        let lines = info.out.split(separator: "\n").map(String.init)
        for label in ["CPU", "vector features", "caches", "BLAS", "BLAS kernels", "Ember kernels", "threads"] {
            XCTAssertTrue(lines.contains { $0.hasPrefix("\(label): ") }, "\(label) in \(info.out)")
        }
        let benched = try bench([:])
        let core = try XCTUnwrap(benched["blas_core"] as? String)
        XCTAssertTrue(lines.contains { $0.hasPrefix("BLAS kernels: \(core): ") }, info.out)
    }

    func testTheKernelSetFollowsTheFeaturesUnlessTheUserSetsOne() throws {
        // The machine's own OPENBLAS_CORETYPE, if it has one, is left as it is.
        let chosen = try bench([:])
        for key in ["blas_core", "blas_core_reason", "blas", "cpu", "cpu_features", "matmul_gflops_1024"] {
            XCTAssertNotNil(chosen[key], key)
        }
        XCTAssertGreaterThan(chosen["matmul_gflops_1024"] as? Double ?? 0, 0)
        let core = chosen["blas_core"] as? String ?? "", reason = chosen["blas_core_reason"] as? String ?? ""
        if let userCore = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !userCore.isEmpty {
            XCTAssertTrue(reason.hasPrefix("OPENBLAS_CORETYPE=\(userCore) is set"), reason)
        } else {
            let features = Set((chosen["cpu_features"] as? String ?? "").split(separator: " ").map(String.init))
            let avx512 = ["SkylakeX", "Cooperlake", "SapphireRapids"]
            if features.isSuperset(of: ["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"]) {
                XCTAssertTrue(avx512.contains(core), "\(core): \(reason)")
            } else if features.isSuperset(of: ["avx2", "fma"]) {
                XCTAssertTrue((["Haswell", "Zen"] + avx512).contains(core), "\(core): \(reason)")
            }
        }

        let forced = try bench(["OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(forced["blas_core"] as? String, "Prescott")
        XCTAssertTrue((forced["blas_core_reason"] as? String ?? "").hasPrefix("OPENBLAS_CORETYPE=Prescott is set"))
    }
}
