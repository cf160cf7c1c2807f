import Foundation
import XCTest

/// Runs `ember` with `arguments`, this process's environment changed by `environment`
/// (nil removes a variable); returns its exit status, standard output and error.
func runEmber(_ arguments: [String], environment: [String: String?] = [:]) throws -> (status: Int32, out: String, err: String) {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ember")
    let candidates = [binary] + [Bundle.main.bundleURL.appendingPathComponent("ember"),
                                 Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("ember")]
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw XCTSkip("the ember executable was not built next to the tests")
    }
    let process = Process(), out = Pipe(), err = Pipe()
    process.executableURL = executable
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
