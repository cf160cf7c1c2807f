#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The exclusive right to write a run directory, for as long as this object lives: an
/// `flock` on the directory's `.lock` file, which holds the owner's process ID. The
/// kernel releases it when the process ends, however it ends, so a killed run leaves
/// no lock behind (the file stays, unlocked, and is harmless).
final class RunLock {
    private let descriptor: Int32

    /// Locks `directory` (which must exist); throws naming the process that holds it.
    init(_ directory: URL) throws {
        let path = directory.appendingPathComponent(".lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CLIError("cannot lock \(directory.path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let holder = Self.holder(descriptor)
            close(descriptor)
            guard busy else { throw CLIError("cannot lock \(directory.path): \(String(cString: strerror(errno)))") }
            throw CLIError("\(directory.path) is in use by another ember process\(holder.map { " (pid \($0))" } ?? ""): wait for it to end, or choose another --out")
        }
        let owner = Array("\(getpid())\n".utf8)
        guard ftruncate(descriptor, 0) == 0, owner.withUnsafeBytes({ pwrite(descriptor, $0.baseAddress, $0.count, 0) }) == owner.count else {
            close(descriptor)
            throw CLIError("cannot lock \(directory.path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The process ID the lock file names, if it names one.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
