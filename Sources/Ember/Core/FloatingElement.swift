import CEmberMath
#if canImport(Glibc)
import Glibc
#endif

/// The floating-point element types that compute kernels are written over (`Float`,
/// `Double`). Each scalar transcendental maps to the C library's function for that
/// width; the array forms run vectorised for `Float` (`CEmberMath`).
protocol FloatingElement: BinaryFloatingPoint, TensorElement {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    /// `y[i] = e^x[i]` for `count` elements; `x` may be `y`.
    static func exp(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// `y[i] = 1 / (1 + e^−x[i])` for `count` elements; `x` may be `y`.
    static func sigmoid(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// `y[i] = tanh x[i]` for `count` elements; `x` may be `y`.
    static func tanh(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// `y[i] = x[i] Φ(x[i])` (exact GELU) for `count` elements; `x` may be `y`.
    static func gelu(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// `dx[i] = g[i] (Φ(x[i]) + x[i] φ(x[i]))`, GELU's gradient, for `count` elements.
    static func geluBackward(_ x: UnsafePointer<Self>, _ g: UnsafePointer<Self>, _ dx: UnsafeMutablePointer<Self>, count: Int)
    /// Copies `rows` rows of `width` elements from `source` (rows `sourceStride` apart)
    /// to `target` (rows `targetStride` apart); rows must not overlap.
    static func copyRows(_ source: UnsafePointer<Self>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Self>,
                         _ targetStride: Int, rows: Int, width: Int)
    /// Adds `rows` rows of `width` elements of `source` onto `target`, as `copyRows` lays
    /// them out, row after row (so a `targetStride` of 0 sums the rows into one).
    static func addRows(_ source: UnsafePointer<Self>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Self>,
                        _ targetStride: Int, rows: Int, width: Int)
}

extension Float: FloatingElement {
    @inline(__always) static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func sin(_ x: Float) -> Float { sinf(x) }
    @inline(__always) static func cos(_ x: Float) -> Float { cosf(x) }
    @inline(__always) static func erf(_ x: Float) -> Float { erff(x) }
    @inline(__always) static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    /// Eight lanes at a time with AVX2 when the CPU has it (`CEmberMath`).
    @inline(__always) static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ember_exp_f32(x, y, count)
    }
    /// Eight lanes at a time with AVX2 when the CPU has it (`CEmberMath`).
    @inline(__always) static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ember_sigmoid_f32(x, y, count)
    }
    /// Eight lanes at a time with AVX2 when the CPU has it (`CEmberMath`).
    @inline(__always) static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ember_tanh_f32(x, y, count)
    }
    /// Eight lanes at a time with AVX2 when the CPU has it (`CEmberMath`).
    @inline(__always) static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ember_gelu_f32(x, y, count)
    }
    /// Eight lanes at a time with AVX2 when the CPU has it (`CEmberMath`).
    @inline(__always) static func geluBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                               _ dx: UnsafeMutablePointer<Float>, count: Int) {
        ember_gelu_backward_f32(x, g, dx, count)
    }
    /// One masked AVX-512 (or AVX2) operation per short row (`CEmberMath`).
    @inline(__always) static func copyRows(_ source: UnsafePointer<Float>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Float>,
                                           _ targetStride: Int, rows: Int, width: Int) {
        ember_copy_rows_f32(source, sourceStride, target, targetStride, rows, width)
    }
    /// One masked AVX-512 (or AVX2) operation per short row (`CEmberMath`).
    @inline(__always) static func addRows(_ source: UnsafePointer<Float>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Float>,
                                          _ targetStride: Int, rows: Int, width: Int) {
        ember_add_rows_f32(source, sourceStride, target, targetStride, rows, width)
    }
}

extension Double: FloatingElement {
    @inline(__always) static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inline(__always) static func sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inline(__always) static func cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inline(__always) static func erf(_ x: Double) -> Double { Glibc.erf(x) }
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
    static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = Glibc.exp(x[i]) }
    }
    static func sigmoid(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = 1 / (1 + Glibc.exp(-x[i])) }
    }
    static func tanh(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = Glibc.tanh(x[i]) }
    }
    static func gelu(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = x[i] * 0.5 * erfc(-x[i] * 0.5.squareRoot()) }
    }
    static func geluBackward(_ x: UnsafePointer<Double>, _ g: UnsafePointer<Double>, _ dx: UnsafeMutablePointer<Double>,
                             count: Int) {
        for i in 0..<count {
            let cdf = 0.5 * erfc(-x[i] * 0.5.squareRoot()), density = Glibc.exp(-0.5 * x[i] * x[i]) / (2 * Double.pi).squareRoot()
            dx[i] = g[i] * (cdf + x[i] * density)
        }
    }
    static func copyRows(_ source: UnsafePointer<Double>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Double>,
                         _ targetStride: Int, rows: Int, width: Int) {
        for r in 0..<rows {
            (target + r * targetStride).update(from: source + r * sourceStride, count: width)
        }
    }
    static func addRows(_ source: UnsafePointer<Double>, _ sourceStride: Int, _ target: UnsafeMutablePointer<Double>,
                        _ targetStride: Int, rows: Int, width: Int) {
        for r in 0..<rows {
            let from = source + r * sourceStride, to = target + r * targetStride
            for i in 0..<width { to[i] += from[i] }
        }
    }
}
