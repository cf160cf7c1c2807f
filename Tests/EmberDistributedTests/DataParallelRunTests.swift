import Ember
import Foundation
import XCTest

/// Two processes under `mpirun` on loopback give the parameters one process gives at the
/// same global batch, after 20 SGD steps of the MLP and of the CNN without batch norm,
/// with the gradients averaged during backward and after it.
final class DataParallelRunTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-ddp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// Runs the example under `mpirun -np ranks`; the final parameters by name.
    private func train(_ model: String, ranks: Int, overlap: Bool = true) throws -> [String: Tensor] {
        let example = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("DataParallelExample")
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard FileManager.default.isExecutableFile(atPath: example.path), let mpirun else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI needs mpirun and DataParallelExample (scripts/test installs Open MPI)") }
            throw XCTSkip("needs Open MPI (EMBER_SETUP_MPI=1 scripts/setup) and the DataParallelExample built with it")
        }
        let out = directory.appendingPathComponent("\(model)-\(ranks)-\(overlap).safetensors")
        let process = Process(), log = Pipe()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", example.path, model, "--steps", "20", "--out", out.path]
            + (overlap ? [] : ["--no-overlap"])
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_MCA_oob_tcp_if_include"] = "lo"
        environment["OMPI_MCA_btl_tcp_if_include"] = "lo"
        environment["OMP_NUM_THREADS"] = "1"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let said = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, said)
        XCTAssertTrue(said.contains("\(model) on \(ranks) process"), said)
        let (tensors, _) = try SafeTensors.read(out)
        return Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
    }

    private func assertSame(_ a: [String: Tensor], _ b: [String: Tensor], _ what: String) {
        XCTAssertEqual(Set(a.keys), Set(b.keys), what)
        for (name, x) in a {
            guard let y = b[name] else { continue }
            let scale: Double = x.to(.float64).abs().max().item()
            let difference: Double = (x.to(.float64) - y.to(.float64)).abs().max().item()
            XCTAssertLessThan(difference, 1e-5 * Swift.max(scale, 1e-3), "\(what): \(name)")
        }
    }

    func testTwoProcessesTrainTheMLPAsOneDoes() throws {
        let one = try train("mlp", ranks: 1)
        assertSame(one, try train("mlp", ranks: 2), "mlp, overlapped")
        assertSame(one, try train("mlp", ranks: 2, overlap: false), "mlp, after backward")
    }

    func testTwoProcessesTrainTheCNNAsOneDoes() throws {
        assertSame(try train("cnn", ranks: 1), try train("cnn", ranks: 2), "cnn without batch norm")
    }
}
