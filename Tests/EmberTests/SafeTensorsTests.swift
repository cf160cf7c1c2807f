import Foundation
import XCTest
@testable import Ember

final class SafeTensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testRoundTripKeepsEveryDtypeShapeAndMetadata() throws {
        let tensors: [(name: String, tensor: Tensor)] = [
            ("fc1.weight", Tensor.randn([3, 4]).transpose(0, 1)),
            ("fc1.bias", Tensor([1.5, -2] as [Double])),
            ("labels", Tensor([7, 8, 9])),
            ("ids", Tensor([1, 2] as [Int32])),
            ("mask", Tensor([true, false, true])),
            ("scalar", Tensor(scalar: 3)),
            ("empty", Tensor.zeros([0, 5])),
        ]
        let url = directory.appendingPathComponent("model.safetensors")
        try SafeTensors.write(tensors, metadata: ["model": "mlp", "hidden": "256"], to: url)
        let (loaded, metadata) = try SafeTensors.read(url)
        XCTAssertEqual(metadata, ["model": "mlp", "hidden": "256"])
        let byName = Dictionary(uniqueKeysWithValues: loaded.map { ($0.name, $0.tensor) })
        XCTAssertEqual(byName.count, tensors.count)
        for (name, t) in tensors {
            let u = try XCTUnwrap(byName[name], name)
            XCTAssertEqual(u.dtype, t.dtype, name)
            XCTAssertEqual(u.shape, t.shape, name)
            XCTAssertEqual(u.doubles, t.doubles, name)
        }
        // Header length is a multiple of 8, so data is aligned.
        let data = try Data(contentsOf: url)
        XCTAssertEqual(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8, 0)
    }

    func testMalformedFilesAreRejectedWithAReason() throws {
        func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
            var out = Data()
            withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: Array(header.utf8))
            out.append(contentsOf: data)
            return out
        }
        let cases: [(String, Data, String)] = [
            ("short", Data([1, 2, 3]), "shorter than the 8-byte header length"),
            ("length past end", file("{}", length: 1000), "runs past the end"),
            ("not json", file("{nope"), "not valid JSON"),
            ("unknown dtype", file(#"{"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}"#, data: [0]), "unsupported dtype F8"),
            ("offsets beyond data", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]), "ends at byte 8 of a 4-byte"),
            ("size mismatch", file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)), "needs 12 bytes"),
            ("overlap", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(repeating: 0, count: 8)), "overlaps"),
            ("gap", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Array(repeating: 0, count: 8)), "gap"),
            ("negative shape", file(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#), "invalid shape"),
            ("bad metadata", file(#"{"__metadata__":{"a":1}}"#), "__metadata__"),
            ("header past the limit", file("{}", length: 100_000_001), "more than the format's limit of 100000000 bytes"),
            ("element count overflows", file(#"{"a":{"dtype":"F64","shape":[2305843009213693952,4],"data_offsets":[0,0]}}"#),
             "needs more bytes than any file holds"),
            ("bytes overflow", file(#"{"a":{"dtype":"F64","shape":[1152921504606846976],"data_offsets":[0,0]}}"#),
             "needs more bytes than any file holds"),
            ("deeply nested", file(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)), "not valid JSON"),
        ]
        for (what, data, expected) in cases {
            XCTAssertThrowsError(try SafeTensors.decode(data), what) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(what): \(error)")
            }
        }
        XCTAssertThrowsError(try SafeTensors.read(directory.appendingPathComponent("missing.safetensors"))) { error in
            XCTAssertTrue("\(error)".hasSuffix("missing.safetensors: no such file"), "\(error)")
        }
        for special in [directory.path, "/dev/zero"] {
            XCTAssertThrowsError(try SafeTensors.read(URL(fileURLWithPath: special))) { error in
                XCTAssertTrue("\(error)".hasSuffix("\(special): not a regular file"), "\(error)")
            }
        }
    }

    /// Files written by Python's `safetensors` package load in Ember, and Ember's files
    /// load in it (the test set-up installs the package from PyPI).
    func testInteroperatesWithPythonSafetensors() throws {
        let python = """
        import sys, numpy as np
        from safetensors.numpy import save_file, load_file
        from safetensors import safe_open
        src, dst = sys.argv[1], sys.argv[2]
        save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3) / 4, "n": np.array([5, -6], dtype=np.int64),
                   "d": np.array([0.25], dtype=np.float64)}, src, metadata={"format": "np"})
        with safe_open(dst, framework="np") as f:
            meta = f.metadata()
            t = {k: f.get_tensor(k) for k in f.keys()}
        print(meta["model"], t["x"].dtype, list(t["x"].shape), t["x"].flatten().tolist(), t["k"].tolist())
        """
        let src = directory.appendingPathComponent("from-python.safetensors"), dst = directory.appendingPathComponent("from-ember.safetensors")
        try SafeTensors.write([("x", Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [3, 2]).transpose(0, 1)), ("k", Tensor([9, 10]))],
                              metadata: ["model": "ember"], to: dst)
        guard let output = try runPython(python, arguments: [src.path, dst.path]) else { return }
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "ember float32 [2, 3] [1.0, 3.0, 5.0, 2.0, 4.0, 6.0] [9, 10]")
        let (tensors, metadata) = try SafeTensors.read(src)
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
        XCTAssertEqual(metadata, ["format": "np"])
        XCTAssertEqual(byName["w"]?.shape, [2, 3])
        XCTAssertEqual(byName["w"]?.floats, [0, 0.25, 0.5, 0.75, 1, 1.25])
        XCTAssertEqual(byName["n"]?.ints, [5, -6])
        XCTAssertEqual(byName["d"]?.dtype, .float64)
    }

    /// Runs a Python snippet; nil (skipped) if Python's safetensors is not installed,
    /// except in CI, whose set-up installs it.
    private func runPython(_ code: String, arguments: [String]) throws -> String? {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import safetensors, numpy"]
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        if probe.terminationStatus != 0 {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("Python's safetensors is not installed") }
            throw XCTSkip("Python's safetensors package is not installed (scripts/test installs it)")
        }
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code] + arguments
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python failed")
        return output
    }
}
