import Ember
import Foundation
import XCTest

/// Runs `ember` with `arguments`, this process's environment changed by `environment`
/// (nil removes a variable); returns its exit status, standard output and error.
func runEmber(_ arguments: [String], environment: [String: String?] = [:]) throws -> (status: Int32, out: String, err: String) {
    let process = Process(), out = Pipe(), err = Pipe()
    process.executableURL = try emberExecutable()
    process.arguments = arguments
    if !environment.isEmpty {
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
    }
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Fashion-MNIST's four IDX files in `directory`, `count` images for each of `train` and
/// `t10k`: noise, with the rows of band `c` lit for class `c` (image `i` is class `i % 10`).
func writeBandedImages(to directory: URL, train: Int, test: Int, seed: UInt64) throws {
    let generator = Generator(seed: seed)
    for (prefix, count) in [("train", train), ("t10k", test)] {
        let noise = (Tensor.rand([count * 784], generator: generator) * 160).floats
        var images = [UInt8](), labels = [UInt8]()
        for i in 0..<count {
            labels.append(UInt8(i % 10))
            for pixel in 0..<784 { images.append(UInt8(noise[i * 784 + pixel]) + (pixel / 28 / 3 == i % 10 ? 60 : 0)) }
        }
        try idx([count, 28, 28], images).write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try idx([count], labels).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}

/// An IDX file (Fashion-MNIST's format) of unsigned bytes of `shape`.
func idx(_ shape: [Int], _ values: [UInt8]) -> Data {
    var d = Data([0, 0, 8, UInt8(shape.count)])
    for n in shape { d.append(contentsOf: [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)]) }
    d.append(contentsOf: values)
    return d
}

/// Runs `ember` with `arguments` as `ranks` processes under `mpirun` on loopback, one
/// thread each; its status and its output and errors together. Skips the test where
/// Open MPI is missing, except under CI (scripts/test installs it).
func runEmberUnderMPI(ranks: Int, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let (process, log) = try startEmberUnderMPI(ranks: ranks, arguments)
    let output = log.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// Starts `mpirun` as `runEmberUnderMPI` does, without waiting; its output and errors
/// come through the pipe.
func startEmberUnderMPI(ranks: Int, _ arguments: [String]) throws -> (process: Process, output: Pipe) {
    let process = Process(), log = Pipe()
    process.executableURL = URL(fileURLWithPath: try mpirun())
    process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", try emberExecutable().path] + arguments
    var environment = ProcessInfo.processInfo.environment
    for (name, value) in ["OMPI_MCA_oob_tcp_if_include": "lo", "OMPI_MCA_btl_tcp_if_include": "lo", "OPENBLAS_NUM_THREADS": "1"] {
        environment[name] = value
    }
    process.environment = environment
    process.standardOutput = log
    process.standardError = log
    try process.run()
    return (process, log)
}

/// Open MPI's `mpirun`; skips the test where it is missing, except under CI (scripts/test
/// installs it).
func mpirun() throws -> String {
    guard let path = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI needs mpirun: scripts/test installs Open MPI") }
        throw XCTSkip("needs Open MPI: EMBER_SETUP_MPI=1 scripts/setup, then build again")
    }
    return path
}

/// Starts `ember` with `arguments` without waiting, its output discarded.
func startEmber(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = try emberExecutable()
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// The `ember` binary built next to the tests; skips the test where there is none.
private func emberExecutable() throws -> URL {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ember")
    let candidates = [binary] + [Bundle.main.bundleURL.appendingPathComponent("ember"),
                                 Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ember")]
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw XCTSkip("the ember executable was not built next to the tests")
    }
    return executable
}
