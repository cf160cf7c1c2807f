/// Audio that cannot be read or used, and why, naming the file.
public struct AudioError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
