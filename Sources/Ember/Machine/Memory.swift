#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The memory this process can count on: the machine's RAM, or less where a control
/// group (a container's limit) says so. Checks that refuse work too large to fit, such
/// as a model whose training state exceeds it, read this rather than a fixed size.
public enum Memory {
    /// Bytes: the smaller of physical memory and a cgroup v2 `memory.max`; 0 if unknown.
    public static let limit: Int = {
        #if canImport(Glibc)
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        let (physical, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        var limit = pages > 0 && pageSize > 0 && !overflow ? physical : 0
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let group = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), group > 0 {
            limit = limit == 0 ? group : Swift.min(limit, group)
        }
        return limit
        #else
        return 0
        #endif
    }()

    /// `bytes` for people: "24 GiB", "1.5 MiB", "300 bytes".
    public static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        return "\(value < 10 ? String(format: "%.1f", value) : String(Int(value.rounded()))) \(units[unit])"
    }
}
