/// What the fused recurrent cells compute on: one scalar, or eight `Float` lanes at once.
///
/// A cell's arithmetic is written once over `Lanes`; the kernels run it eight hidden
/// units at a time where they can and one at a time for the rest. The `Float` lanes use
/// branch-free polynomial `exp`, `tanh` and sigmoid (a few ulp from the C library's),
/// since a call into `libm` per element would cost more than the cell's products.
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
    /// `1 / (1 + e⁻ˣ)`.
    var sigmoid: Self { get }
    /// Hyperbolic tangent.
    var tanh: Self { get }
    /// `max(x, 0)`.
    var relu: Self { get }
    /// 1 where `self > 0`, else 0: the derivative of ReLU read from its output.
    var positiveIndicator: Self { get }
}

/// One element of any floating type, through the C library's functions.
struct ScalarLane<Element: FloatingElement>: Lanes {
    var value: Element
    static var width: Int { 1 }
    @inline(__always) init(repeating value: Element) { self.value = value }
    @inline(__always) init(_ p: UnsafePointer<Element>) { value = p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Element>) { p.pointee = value }
    @inline(__always) static func + (a: Self, b: Self) -> Self { Self(repeating: a.value + b.value) }
    @inline(__always) static func - (a: Self, b: Self) -> Self { Self(repeating: a.value - b.value) }
    @inline(__always) static func * (a: Self, b: Self) -> Self { Self(repeating: a.value * b.value) }
    @inline(__always) var sigmoid: Self { Self(repeating: 1 / (1 + Element.exp(-value))) }
    @inline(__always) var tanh: Self { Self(repeating: Element.tanh(value)) }
    @inline(__always) var relu: Self { Self(repeating: value > 0 ? value : 0) }
    @inline(__always) var positiveIndicator: Self { Self(repeating: value > 0 ? 1 : 0) }
}

extension SIMD8: Lanes where Scalar == Float {
    typealias Element = Float
    static var width: Int { 8 }
    @inline(__always) init(_ p: UnsafePointer<Float>) { self = UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
    @inline(__always) var sigmoid: Self { 1 / (1 + FastMath.exp(-self)) }
    @inline(__always) var tanh: Self { FastMath.tanh(self) }
    @inline(__always) var relu: Self { replacing(with: 0, where: self .< 0) }
    @inline(__always) var positiveIndicator: Self { Self(repeating: 0).replacing(with: 1, where: self .> 0) }
}

/// Branch-free `exp` and `tanh` on eight floats (Cephes' single-precision polynomials).
enum FastMath {
    typealias V = SIMD8<Float>

    /// `eˣ`, within about 2 ulp; 0 below −87.3 and clamped at e⁸⁸ above 88.
    @inline(__always)
    static func exp(_ x: V) -> V {
        let x = x.replacing(with: 88, where: x .> 88).replacing(with: -87.3, where: x .< -87.3)
        // n = round(x / ln 2) by the 1.5·2²³ trick, which also leaves n in the low bits.
        let shifted = x * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p = 1.9875691500e-4 * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let poly = p * (r * r) + r + 1
        // 2ⁿ: the exponent field of n + 127.
        let bits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return poly * unsafeBitCast(bits, to: V.self)
    }

    /// `tanh x`: an odd polynomial below |x| = 0.625, `1 − 2 / (e²ˣ + 1)` above.
    @inline(__always)
    static func tanh(_ x: V) -> V {
        let z = x * x
        var p = -5.70498872745e-3 * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        let a = x.replacing(with: -x, where: x .< 0)
        let large = 1 - 2 / (exp(a + a) + 1)
        let signed = large.replacing(with: -large, where: x .< 0)
        return signed.replacing(with: small, where: a .< 0.625)
    }
}
