/// A data file or directory that cannot be used, and why (one line, for the CLI).
public struct DataError: Error, CustomStringConvertible {
    /// What is wrong, naming the file.
    public let description: String

    init(_ description: String) { self.description = description }
}
