/// The binary elementwise operations that have kernels.
enum BinaryOp: String {
    case add, sub, mul, div, pow, maximum, minimum
}

/// The comparisons that have kernels; each gives a bool tensor.
enum Comparison: String {
    case eq, ne, lt, le, gt, ge
}

extension Kernels {
    /// `a op b` with broadcasting and type promotion; no autograd.
    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            preconditionFailure(OpMessage.broadcast(op: op.rawValue, a.shape, b.shape))
        }
        let out = Tensor(uninitializedShape: shape, dtype: resultType(a, b, op))
        binary(a, b, op, into: out)
        return out
    }

    /// The dtype of `a op b`: the promoted one, float32 for integer `div` and `pow`.
    static func resultType(_ a: Tensor, _ b: Tensor, _ op: BinaryOp) -> DType {
        let dtype = a.dtype.promoted(with: b.dtype)
        return (op == .div || op == .pow) && !dtype.isFloatingPoint ? .float32 : dtype
    }

    /// Writes `a op b` into `out`, contiguous, shaped as their broadcast and of their
    /// `resultType`; `out` may be `a` itself (an in-place update), never a view
    /// overlapping `a` or `b` otherwise.
    static func binary(_ a: Tensor, _ b: Tensor, _ op: BinaryOp, into out: Tensor) {
        let dtype = out.dtype
        let a = a.to(dtype), b = b.to(dtype)
        func float<T: FloatingElement>(_: T.Type) {
            switch op {
            case .add: Elementwise.zip(a, b, into: out, Add<T>())
            case .sub: Elementwise.zip(a, b, into: out, Subtract<T>())
            case .mul: Elementwise.zip(a, b, into: out, Multiply<T>())
            case .div: Elementwise.zip(a, b, into: out, Divide<T>())
            case .pow: Elementwise.zip(a, b, into: out, Power<T>())
            case .maximum: Elementwise.zip(a, b, into: out, Maximum<T>())
            case .minimum: Elementwise.zip(a, b, into: out, Minimum<T>())
            }
        }
        func integer<T: FixedWidthInteger>(_: T.Type) {
            switch op {
            case .add: Elementwise.zip(a, b, into: out, WrappingAdd<T>())
            case .sub: Elementwise.zip(a, b, into: out, WrappingSubtract<T>())
            case .mul: Elementwise.zip(a, b, into: out, WrappingMultiply<T>())
            case .maximum: Elementwise.zip(a, b, into: out, IntegerMaximum<T>())
            case .minimum: Elementwise.zip(a, b, into: out, IntegerMinimum<T>())
            case .div, .pow: fatalError("unreachable: \(op) promotes integers to float")
            }
        }
        switch dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: integer(Int64.self)
        case .int32: integer(Int32.self)
        case .bool:
            switch op {
            case .add, .maximum: Elementwise.zip(a, b, into: out, LogicalOr())
            case .mul, .minimum: Elementwise.zip(a, b, into: out, LogicalAnd())
            default: preconditionFailure(OpMessage.dtype(op: op.rawValue, .bool, expected: "a numeric type"))
            }
        }
    }

    /// `a cmp b` elementwise with broadcasting, as a bool tensor.
    static func compare(_ a: Tensor, _ b: Tensor, _ cmp: Comparison) -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            preconditionFailure(OpMessage.broadcast(op: cmp.rawValue, a.shape, b.shape))
        }
        let dtype = a.dtype.promoted(with: b.dtype)
        let a = a.to(dtype), b = b.to(dtype)
        let out = Tensor(uninitializedShape: shape, dtype: .bool)
        func run<T: Comparable>(_: T.Type) {
            switch cmp {
            case .eq: Elementwise.zip(a, b, into: out, Equal<T>())
            case .ne: Elementwise.zip(a, b, into: out, NotEqual<T>())
            case .lt: Elementwise.zip(a, b, into: out, Less<T>())
            case .le: Elementwise.zip(a, b, into: out, LessOrEqual<T>())
            case .gt: Elementwise.zip(a, b, into: out, Greater<T>())
            case .ge: Elementwise.zip(a, b, into: out, GreaterOrEqual<T>())
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .bool: run(UInt8.self)
        }
        return out
    }
}
