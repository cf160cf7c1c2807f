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
            case .neg: Elementwise.map(x, T.self, into: out) { -$0 }
            case .abs: Elementwise.map(x, T.self, into: out) { Swift.abs($0) }
            case .sign: Elementwise.map(x, T.self, into: out) { (v: T) -> T in v > 0 ? 1 : (v < 0 ? -1 : 0) }
            case .exp: Elementwise.map(x, T.self, into: out) { T.exp($0) }
            case .log: Elementwise.map(x, T.self, into: out) { T.log($0) }
            case .sqrt: Elementwise.map(x, T.self, into: out) { $0.squareRoot() }
            case .rsqrt: Elementwise.map(x, T.self, into: out) { 1 / $0.squareRoot() }
            case .sin: Elementwise.map(x, T.self, into: out) { T.sin($0) }
            case .cos: Elementwise.map(x, T.self, into: out) { T.cos($0) }
            case .erf: Elementwise.map(x, T.self, into: out) { T.erf($0) }
            case .relu: Elementwise.map(x, T.self, into: out) { $0 > 0 ? $0 : 0 }
            case .sigmoid: Elementwise.map(x, T.self, into: out) { 1 / (1 + T.exp(-$0)) }
            case .tanh: Elementwise.map(x, T.self, into: out) { T.tanh($0) }
            case .gelu:
                Elementwise.map(x, T.self, into: out) { v in v * (1 + T.erf(v * T(0.7071067811865476))) / 2 }
            case .geluTanh:
                Elementwise.map(x, T.self, into: out) { v in
                    v * (1 + T.tanh(T(0.7978845608028654) * (v + T(0.044715) * v * v * v))) / 2
                }
            case .leakyRelu(let slope):
                let s = T(slope)
                Elementwise.map(x, T.self, into: out) { $0 > 0 ? $0 : $0 * s }
            case .powScalar(let p):
                let e = T(p)
                if p == 2 {
                    Elementwise.map(x, T.self, into: out) { $0 * $0 }
                } else {
                    Elementwise.map(x, T.self, into: out) { T.pow($0, e) }
                }
            case .clamp(let lo, let hi):
                let l = T(lo), h = T(hi)
                Elementwise.map(x, T.self, into: out) { $0 < l ? l : ($0 > h ? h : $0) }
            }
        }
        func integer<T: FixedWidthInteger & SignedInteger>(_: T.Type) {
            switch op {
            case .neg: Elementwise.map(x, T.self, into: out) { 0 &- $0 }
            case .abs: Elementwise.map(x, T.self, into: out) { $0 < 0 ? 0 &- $0 : $0 }
            case .sign: Elementwise.map(x, T.self, into: out) { $0.signum() }
            case .clamp(let lo, let hi):
                let l = lo <= Double(T.min) ? T.min : T(lo.rounded(.up))
                let h = hi >= Double(T.max) ? T.max : T(hi.rounded(.down))
                Elementwise.map(x, T.self, into: out) { Swift.min(Swift.max($0, l), h) }
            default:
                preconditionFailure(ShapeMessage.dtype(op: op.name, x.dtype, expected: "float32 or float64"))
            }
        }
        switch x.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: integer(Int64.self)
        case .int32: integer(Int32.self)
        case .bool: preconditionFailure(ShapeMessage.dtype(op: op.name, .bool, expected: "a numeric type"))
        }
        return out
    }
}
