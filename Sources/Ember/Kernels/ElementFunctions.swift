#if canImport(Glibc)
import Glibc
#endif

// Kernels take the per-element function as a value of a concrete type rather than as
// a closure. A closure that crosses into the worker threads is called through a
// pointer for every element (measured: 6 GB/s for an add); a generic function object is
// specialised and inlined into the loop, which then vectorises (37 GB/s).

/// A function of one element.
protocol UnaryFunction {
    associatedtype Input
    associatedtype Output
    func callAsFunction(_ x: Input) -> Output
}

/// A function of two elements.
protocol BinaryFunction {
    associatedtype Left
    associatedtype Right
    associatedtype Output
    func callAsFunction(_ x: Left, _ y: Right) -> Output
}

/// An associative, commutative combination with an identity, for reductions.
protocol ReduceFunction {
    associatedtype Element
    var identity: Element { get }
    func callAsFunction(_ x: Element, _ y: Element) -> Element
}

// MARK: Unary, any signed number

struct Identity<T>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x }
}

struct Negate<T: SignedNumeric>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { 0 - x }
}

struct Absolute<T: SignedNumeric & Comparable>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x < 0 ? 0 - x : x }
}

struct Signum<T: SignedNumeric & Comparable>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}

struct Clamp<T: Comparable>: UnaryFunction {
    let low: T, high: T
    @inline(__always) func callAsFunction(_ x: T) -> T { x < low ? low : (x > high ? high : x) }
}

struct Convert<S: TensorElement, D: TensorElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: S) -> D { D(fromDouble: x.asDouble) }
}

// MARK: Unary, floating point

struct Exp<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.exp(x) }
}

struct Log<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.log(x) }
}

struct SquareRoot<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x.squareRoot() }
}

struct ReciprocalSquareRoot<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { 1 / x.squareRoot() }
}

struct Sine<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.sin(x) }
}

struct Cosine<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.cos(x) }
}

struct ErrorFunction<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.erf(x) }
}

struct ReLU<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x > 0 ? x : 0 }
}

struct LeakyReLU<T: FloatingElement>: UnaryFunction {
    let slope: T
    @inline(__always) func callAsFunction(_ x: T) -> T { x > 0 ? x : x * slope }
}

struct Sigmoid<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { 1 / (1 + T.exp(-x)) }
}

struct HyperbolicTangent<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { T.tanh(x) }
}

/// `x Φ(x)` with the exact error function.
struct GELU<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x * (1 + T.erf(x * T(0.7071067811865476))) / 2 }
}

/// `x Φ(x)` with Φ from the tanh approximation.
struct GELUTanh<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T {
        x * (1 + T.tanh(T(0.7978845608028654) * (x + T(0.044715) * x * x * x))) / 2
    }
}

struct Square<T: FloatingElement>: UnaryFunction {
    @inline(__always) func callAsFunction(_ x: T) -> T { x * x }
}

struct PowerScalar<T: FloatingElement>: UnaryFunction {
    let exponent: T
    @inline(__always) func callAsFunction(_ x: T) -> T { T.pow(x, exponent) }
}

// MARK: Binary

struct Add<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x + y }
}

struct Subtract<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x - y }
}

struct Multiply<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x * y }
}

struct Divide<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x / y }
}

struct Power<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { T.pow(x, y) }
}

/// Larger of two floats; NaN wins, as in PyTorch.
struct Maximum<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x.isNaN || x > y ? x : y }
}

/// Smaller of two floats; NaN wins, as in PyTorch.
struct Minimum<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x.isNaN || x < y ? x : y }
}

/// `g` where `x > 0`, else 0: ReLU's backward.
struct PassWherePositive<T: FloatingElement>: BinaryFunction {
    @inline(__always) func callAsFunction(_ g: T, _ x: T) -> T { x > 0 ? g : 0 }
}

struct WrappingAdd<T: FixedWidthInteger>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x &+ y }
}

struct WrappingSubtract<T: FixedWidthInteger>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x &- y }
}

struct WrappingMultiply<T: FixedWidthInteger>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x &* y }
}

struct IntegerMaximum<T: FixedWidthInteger>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { Swift.max(x, y) }
}

struct IntegerMinimum<T: FixedWidthInteger>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { Swift.min(x, y) }
}

struct LogicalAnd: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Bool, _ y: Bool) -> Bool { x && y }
}

struct LogicalOr: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: Bool, _ y: Bool) -> Bool { x || y }
}

struct Equal<T: Comparable>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { x == y }
}

struct NotEqual<T: Comparable>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { x != y }
}

struct Less<T: Comparable>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { x < y }
}

struct LessOrEqual<T: Comparable>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { x <= y }
}

struct Greater<T: Comparable>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { x > y }
}

struct GreaterOrEqual<T: Comparable>: BinaryFunction {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { x >= y }
}

// MARK: Reductions

struct SumReduce<T: AdditiveArithmetic>: ReduceFunction {
    var identity: T { .zero }
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x + y }
}

struct WrappingSumReduce<T: FixedWidthInteger>: ReduceFunction {
    var identity: T { 0 }
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { x &+ y }
}

struct MaxReduce<T: FloatingElement>: ReduceFunction {
    var identity: T { -.infinity }
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { y > x || y.isNaN ? y : x }
}

struct MinReduce<T: FloatingElement>: ReduceFunction {
    var identity: T { .infinity }
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { y < x || y.isNaN ? y : x }
}

struct IntegerMaxReduce<T: FixedWidthInteger>: ReduceFunction {
    var identity: T { .min }
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { Swift.max(x, y) }
}

struct IntegerMinReduce<T: FixedWidthInteger>: ReduceFunction {
    var identity: T { .max }
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { Swift.min(x, y) }
}
