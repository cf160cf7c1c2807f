/// The unary elementwise operations that have kernels; parameters ride along.
enum UnaryOp {
    case neg, abs, sign, exp, log, sqrt, rsqrt, sin, cos, erf
    case relu, sigmoid, tanh, gelu, geluTanh
    case leakyRelu(slope: Double)
    case powScalar(Double)
    case clamp(min: Double, max: Double)

    /// Name used in messages.
    var name: String {
        switch self {
        case .neg: "neg"
        case .abs: "abs"
        case .sign: "sign"
        case .exp: "exp"
        case .log: "log"
        case .sqrt: "sqrt"
        case .rsqrt: "rsqrt"
        case .sin: "sin"
        case .cos: "cos"
        case .erf: "erf"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .gelu: "gelu"
        case .geluTanh: "gelu"
        case .leakyRelu: "leakyRelu"
        case .powScalar: "pow"
        case .clamp: "clamp"
        }
    }
}

extension Kernels {
    /// `op(x)` elementwise; no autograd. Floating-point only, except `neg`, `abs`,
    /// `sign` and `clamp`, which also take integers.
    static func unary(_ x: Tensor, _ op: UnaryOp) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        func float<T: FloatingElement>(_: T.Type) {
            switch op {
            case .neg: Elementwise.map(x, into: out, Negate<T>())
            case .abs: Elementwise.map(x, into: out, Absolute<T>())
            case .sign: Elementwise.map(x, into: out, Signum<T>())
            case .exp where x.isContiguous: overRuns(x, out, T.exp)
            case .exp: Elementwise.map(x, into: out, Exp<T>())
            case .log: Elementwise.map(x, into: out, Log<T>())
            case .sqrt: Elementwise.map(x, into: out, SquareRoot<T>())
            case .rsqrt: Elementwise.map(x, into: out, ReciprocalSquareRoot<T>())
            case .sin: Elementwise.map(x, into: out, Sine<T>())
            case .cos: Elementwise.map(x, into: out, Cosine<T>())
            case .erf: Elementwise.map(x, into: out, ErrorFunction<T>())
            case .relu: Elementwise.map(x, into: out, ReLU<T>())
            case .sigmoid where x.isContiguous: overRuns(x, out, T.sigmoid)
            case .sigmoid: Elementwise.map(x, into: out, Sigmoid<T>())
            case .tanh where x.isContiguous: overRuns(x, out, T.tanh)
            case .tanh: Elementwise.map(x, into: out, HyperbolicTangent<T>())
            case .gelu where x.isContiguous: overRuns(x, out, T.gelu)
            case .gelu: Elementwise.map(x, into: out, GELU<T>())
            case .geluTanh: Elementwise.map(x, into: out, GELUTanh<T>())
            case .leakyRelu(let slope): Elementwise.map(x, into: out, LeakyReLU<T>(slope: T(slope)))
            case .powScalar(let p):
                if p == 2 {
                    Elementwise.map(x, into: out, Square<T>())
                } else {
                    Elementwise.map(x, into: out, PowerScalar<T>(exponent: T(p)))
                }
            case .clamp(let lo, let hi): Elementwise.map(x, into: out, Clamp<T>(low: T(lo), high: T(hi)))
            }
        }
        func integer<T: FixedWidthInteger & SignedInteger>(_: T.Type) {
            switch op {
            case .neg: Elementwise.map(x, into: out, Negate<T>())
            case .abs: Elementwise.map(x, into: out, Absolute<T>())
            case .sign: Elementwise.map(x, into: out, Signum<T>())
            case .clamp(let lo, let hi):
                let l = lo <= Double(T.min) ? T.min : T(lo.rounded(.up))
                let h = hi >= Double(T.max) ? T.max : T(hi.rounded(.down))
                Elementwise.map(x, into: out, Clamp<T>(low: l, high: h))
            default:
                preconditionFailure(OpMessage.dtype(op: op.name, x.dtype, expected: "float32 or float64"))
            }
        }
        switch x.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: integer(Int64.self)
        case .int32: integer(Int32.self)
        case .bool: preconditionFailure(OpMessage.dtype(op: op.name, .bool, expected: "a numeric type"))
        }
        return out
    }
    /// `y = f(x)` for contiguous `x` through an array function (the vectorised
    /// transcendentals of `FloatingElement`), in runs split across threads.
    /// Exact GELU's input gradient for upstream gradient `g` (x's shape), in one pass.
    static func geluBackward(_ x: Tensor, _ g: Tensor) -> Tensor {
        let x = x.contiguous(), g = g.contiguous()
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), pg = g.pointer(T.self), po = out.pointer(T.self)
            Parallel.forRange(x.numel, grain: 1 << 15) { r in
                T.geluBackward(px + r.lowerBound, pg + r.lowerBound, po + r.lowerBound, count: r.count)
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    private static func overRuns<T: FloatingElement>(_ x: Tensor, _ out: Tensor,
                                                     _ f: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void) {
        let src = x.pointer(T.self), dst = out.pointer(T.self)
        Parallel.forRange(x.numel, grain: 1 << 15) { range in f(src + range.lowerBound, dst + range.lowerBound, range.count) }
    }
}
