/// What the fused recurrent cells' arithmetic runs on: one scalar, or eight `Float`
/// lanes at once.
///
/// A cell's arithmetic is written once over `Lanes`; the kernels run it eight hidden
/// units at a time where they can and one at a time for the rest. (Transcendental
/// functions run apart, over whole rows: `FloatingElement.sigmoid` and `.tanh`.)
protocol Lanes {
    associatedtype Element: FloatingElement
    /// Elements per value.
    static var width: Int { get }
    init(repeating: Element)
    /// Reads `width` elements starting at `p`.
    init(_ p: UnsafePointer<Element>)
    /// Writes the `width` elements to `p`.
    func store(_ p: UnsafeMutablePointer<Element>)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    /// `max(x, 0)`.
    var relu: Self { get }
    /// 1 where `self > 0`, else 0: the derivative of ReLU read from its output.
    var positiveIndicator: Self { get }
    /// The sum of the lanes.
    var total: Element { get }
}

/// One element of any floating type.
struct ScalarLane<Element: FloatingElement>: Lanes {
    var value: Element
    static var width: Int { 1 }
    @inline(__always) init(repeating value: Element) { self.value = value }
    @inline(__always) init(_ p: UnsafePointer<Element>) { value = p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Element>) { p.pointee = value }
    @inline(__always) static func + (a: Self, b: Self) -> Self { Self(repeating: a.value + b.value) }
    @inline(__always) static func - (a: Self, b: Self) -> Self { Self(repeating: a.value - b.value) }
    @inline(__always) static func * (a: Self, b: Self) -> Self { Self(repeating: a.value * b.value) }
    @inline(__always) var relu: Self { Self(repeating: value > 0 ? value : 0) }
    @inline(__always) var positiveIndicator: Self { Self(repeating: value > 0 ? 1 : 0) }
    @inline(__always) var total: Element { value }
}

extension SIMD8: Lanes where Scalar == Float {
    typealias Element = Float
    static var width: Int { 8 }
    @inline(__always) init(_ p: UnsafePointer<Float>) { self = UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    @inline(__always) var relu: Self { replacing(with: 0, where: self .< 0) }
    @inline(__always) var positiveIndicator: Self { Self(repeating: 0).replacing(with: 1, where: self .> 0) }
    @inline(__always) var total: Float { sum() }
}

/// Runs `vector(j)` for each group of eight elements of `0..<count` when `T` is `Float`
/// (eight lanes), then `scalar(j)` for each element left: the driver of loops written
/// once over `Lanes`.
@inline(__always)
func forLanes<T>(_: T.Type, _ count: Int, vector: (Int) -> Void, scalar: (Int) -> Void) {
    var j = 0
    if T.self == Float.self {
        while j + SIMD8<Float>.width <= count {
            vector(j)
            j += SIMD8<Float>.width
        }
    }
    while j < count {
        scalar(j)
        j += 1
    }
}
