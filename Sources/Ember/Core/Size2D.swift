/// A height and a width: kernel sizes, strides, padding and dilation of 2-D windows.
/// Write `3` for both or `[3, 1]` for each.
public struct Size2D: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Along the height.
    public var h: Int
    /// Along the width.
    public var w: Int

    /// A height and a width.
    public init(_ h: Int, _ w: Int) {
        self.h = h
        self.w = w
    }

    public init(integerLiteral value: Int) { self.init(value, value) }

    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 2, "Size2D: give one number or two, got \(elements)")
        self.init(elements[0], elements[1])
    }

    public var description: String { "(\(h), \(w))" }
}
