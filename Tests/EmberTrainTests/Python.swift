import Foundation
import XCTest

/// Runs Python snippets that read Ember's files with the reference implementations.
enum Python {
    /// The standard output of `code` run with `arguments`; skips the test if `module`
    /// cannot be imported, except in CI, whose set-up (`scripts/test`) installs it.
    static func run(_ code: String, arguments: [String] = [], requiring module: String) throws -> String {
        if try execute(["-c", "import \(module)"]).status != 0 {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("Python's \(module) is not installed") }
            throw XCTSkip("Python's \(module) package is not installed (scripts/test installs it)")
        }
        let result = try execute(["-c", code] + arguments)
        XCTAssertEqual(result.status, 0, "python failed")
        return result.output
    }

    private static func execute(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
