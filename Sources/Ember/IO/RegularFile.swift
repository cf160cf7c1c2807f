import Foundation

/// Reading a whole file that came from outside: only a regular file, and only one that
/// fits in memory. A device (`/dev/zero`), a pipe or a directory given where a file
/// belongs is refused with a reason rather than read forever.
public enum RegularFile {
    /// The bytes of the regular file at `url`, if it is at most `limit` bytes.
    public static func contents(of url: URL, limit: Int = Memory.limit) throws -> Data {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let attributes else { throw FileError("\(url.path): no such file") }
        guard attributes[.type] as? FileAttributeType == .typeRegular, let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw FileError("\(url.path): not a regular file")
        }
        guard limit <= 0 || size <= limit else {
            throw FileError("\(url.path) is \(Memory.describe(size)), more than the \(Memory.describe(limit)) it may take")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw FileError("\(url.path): not readable")
        }
    }

    /// The bytes of the regular file at `path`, if it is at most `limit` bytes.
    public static func contents(atPath path: String, limit: Int = Memory.limit) throws -> Data {
        try contents(of: URL(fileURLWithPath: path), limit: limit)
    }
}

/// A file that could not be read, and why, naming it.
public struct FileError: Error, CustomStringConvertible {
    /// The path and what is wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
