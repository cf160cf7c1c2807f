/// The element type of a tensor, chosen at run time (as PyTorch's `torch.dtype`).
///
/// `float32` is the compute type; `float64` makes gradient checks exact; `int64` and
/// `int32` hold indices and labels; `bool` holds masks. Half-precision types can be
/// added as further cases: kernels dispatch on this enum in one place each.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float64, int64, int32, bool

    /// Bytes one element takes in storage.
    public var itemSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .bool: return 1
        }
    }

    /// Whether the type is a floating-point type (only these can require gradients).
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The type that `self op other` produces: bool < int32 < int64 < float32 < float64.
    public func promoted(with other: DType) -> DType {
        rank >= other.rank ? self : other
    }

    private var rank: Int {
        switch self {
        case .bool: return 0
        case .int32: return 1
        case .int64: return 2
        case .float32: return 3
        case .float64: return 4
        }
    }

    public var description: String { rawValue }
}

/// A Swift type that can be stored in a tensor.
public protocol TensorElement {
    /// The tensor dtype that stores this Swift type.
    static var dtype: DType { get }
    /// Converts from a double (used for scalars, fills and generic kernels).
    init(fromDouble value: Double)
    /// Converts to a double (used for printing and scalar access).
    var asDouble: Double { get }
}

extension Float: TensorElement {
    public static var dtype: DType { .float32 }
    public init(fromDouble value: Double) { self = Float(value) }
    public var asDouble: Double { Double(self) }
}

extension Double: TensorElement {
    public static var dtype: DType { .float64 }
    public init(fromDouble value: Double) { self = value }
    public var asDouble: Double { self }
}

extension Int64: TensorElement {
    public static var dtype: DType { .int64 }
    public init(fromDouble value: Double) { self = Int64(value) }
    public var asDouble: Double { Double(self) }
}

extension Int32: TensorElement {
    public static var dtype: DType { .int32 }
    public init(fromDouble value: Double) { self = Int32(value) }
    public var asDouble: Double { Double(self) }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    public init(fromDouble value: Double) { self = value != 0 }
    public var asDouble: Double { self ? 1 : 0 }
}
