import Foundation
import XCTest
@testable import Ember

/// What Ember reads about this machine, checked against Linux's own account of it.
final class MachineTests: XCTestCase {
    /// The first processor's fields in /proc/cpuinfo.
    private func procCPUInfo() throws -> [String: String] {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
            throw XCTSkip("no /proc/cpuinfo")
        }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    func testCPUMatchesProcCPUInfo() throws {
        let cpu = CPU.current
        guard cpu.architecture == "x86_64" else { throw XCTSkip("cpuid is read on x86-64 only") }
        let info = try procCPUInfo()
        XCTAssertEqual(cpu.vendor, info["vendor_id"])
        XCTAssertEqual(String(cpu.family), info["cpu family"])
        XCTAssertEqual(String(cpu.model), info["model"])
        XCTAssertEqual(String(cpu.stepping), info["stepping"])
        XCTAssertEqual(cpu.name, info["model name"])
        // Linux lists an extension only when the kernel enables it too, as Ember does.
        let flags = Set((info["flags"] ?? "").split(separator: " ").map(String.init))
        for feature in CPUFeature.allCases {
            let flag = feature == .sse3 ? "pni" : feature.rawValue
            XCTAssertEqual(cpu.features.contains(feature), flags.contains(flag), "feature \(feature.rawValue)")
        }
        XCTAssertEqual(cpu.cores, ProcessInfo.processInfo.activeProcessorCount)
    }

    func testCacheSizesAreReadAndParsed() {
        XCTAssertEqual(parseCacheSize("48K"), 48 << 10)
        XCTAssertEqual(parseCacheSize("32M"), 32 << 20)
        XCTAssertEqual(parseCacheSize("4096"), 4096)
        for bad in ["", "K", "-4K", "12Q", "1.5M", "99999999999999999999K"] { XCTAssertNil(parseCacheSize(bad), bad) }
        let caches = CPU.current.caches
        if FileManager.default.fileExists(atPath: "/sys/devices/system/cpu/cpu0/cache/index0") {
            XCTAssertGreaterThan(caches.l1d, 0)
            XCTAssertGreaterThan(caches.l2, caches.l1d)
        }
    }

    func testTheMachineDescriptionRoundTrips() throws {
        let machine = Machine.current
        XCTAssertEqual(machine.blas.core, OpenBLAS.coreName)
        XCTAssertTrue(machine.blas.library.hasPrefix("OpenBLAS"), machine.blas.library)
        XCTAssertEqual(machine.blas.threads, 1, "Ember keeps OpenBLAS single-threaded")
        XCTAssertEqual(machine.threads, numThreads())
        let decoded = try JSONDecoder().decode(Machine.self, from: JSONEncoder().encode(machine))
        XCTAssertEqual(decoded, machine)
        let labels = machine.report.map(\.label)
        XCTAssertEqual(labels, ["CPU", "vector features", "caches", "BLAS", "BLAS kernels", "Ember kernels", "threads"])
    }
}
