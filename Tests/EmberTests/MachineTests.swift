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

    /// cpuid's cache sizes against Linux's sysfs listing of CPU 0's caches.
    func testCacheSizesMatchLinux() throws {
        let base = "/sys/devices/system/cpu/cpu0/cache"
        guard FileManager.default.fileExists(atPath: "\(base)/index0") else { throw XCTSkip("no \(base)") }
        var linux: [String: Int] = [:]
        for index in 0..<8 {
            func field(_ name: String) -> String? {
                (try? String(contentsOfFile: "\(base)/index\(index)/\(name)", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let level = field("level"), let type = field("type"), let size = field("size"),
                  let kib = Int(size.dropLast()), size.hasSuffix("K") else { continue }
            linux["L\(level) \(type)"] = kib << 10
        }
        let caches = CPU.current.caches
        XCTAssertEqual(caches.l1d, linux["L1 Data"])
        XCTAssertEqual(caches.l2, linux["L2 Unified"])
        if let l3 = linux["L3 Unified"] { XCTAssertEqual(caches.l3, l3) }
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
