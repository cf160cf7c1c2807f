/// The messages that an op's programmer errors stop with (shapes that do not fit, a
/// dimension out of range, a dtype it does not take). Each names the op and what it
/// was given, so the failing line can be found from the message alone; they live
/// together so tests can check their wording.
public enum OpMessage {
    /// `[2, 3]`
    public static func format(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// Two operands whose shapes do not broadcast.
    public static func broadcast(op: String, _ a: [Int], _ b: [Int]) -> String {
        "\(op): shapes \(format(a)) and \(format(b)) cannot be broadcast together"
    }

    /// Matrix product whose inner dimensions differ.
    public static func matmul(_ a: [Int], _ b: [Int]) -> String {
        let k1 = a.last ?? 0
        let k2 = b.count == 1 ? b[0] : b[b.count - 2]
        return "matmul: \(format(a)) x \(format(b)): inner dimensions \(k1) and \(k2) differ"
    }

    /// A dimension outside the tensor's rank.
    public static func badDim(op: String, dim: Int, rank: Int) -> String {
        "\(op): dimension \(dim) is out of range for a tensor of rank \(rank)"
    }

    /// A reshape whose element counts differ.
    public static func reshape(_ from: [Int], _ to: [Int]) -> String {
        "reshape: cannot view \(format(from)) (\(Shape.count(from)) elements) as \(format(to)) (\(Shape.count(to)) elements)"
    }

    /// An op that does not accept this dtype.
    public static func dtype(op: String, _ dtype: DType, expected: String) -> String {
        "\(op): got dtype \(dtype), expected \(expected)"
    }

    /// Two tensors that must have the same shape and do not.
    public static func mismatch(op: String, _ a: [Int], _ b: [Int]) -> String {
        "\(op): shapes \(format(a)) and \(format(b)) differ"
    }
}
