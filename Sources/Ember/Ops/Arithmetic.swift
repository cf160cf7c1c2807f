/// Arithmetic with NumPy broadcasting. Swift numbers on either side become scalars of
/// the tensor's dtype (an integer tensor with a fractional number becomes float32).
extension Tensor {
    /// Elementwise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        Kernels.binary(a, b, .add).recorded("add", [a, b]) { g in [g, g] }
    }

    /// Elementwise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        Kernels.binary(a, b, .sub).recorded("sub", [a, b]) { g in [g, b.requiresGrad ? -g : nil] }
    }

    /// Elementwise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        Kernels.binary(a, b, .mul).recorded("mul", [a, b]) { g in
            [a.requiresGrad ? g * b : nil, b.requiresGrad ? g * a : nil]
        }
    }

    /// Elementwise quotient, broadcasting (integers divide as float32, as PyTorch's true division).
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        Kernels.binary(a, b, .div).recorded("div", [a, b]) { g in
            [a.requiresGrad ? g / b : nil, b.requiresGrad ? -g * a / (b * b) : nil]
        }
    }

    /// Elementwise negation.
    public static prefix func - (a: Tensor) -> Tensor {
        Kernels.unary(a, .neg).recorded("neg", [a]) { g in [-g] }
    }

    /// `a + b` with the right a Swift number (it takes the tensor's dtype).
    public static func + (a: Tensor, b: Double) -> Tensor { a + a.scalar(b) }
    /// `a + b` with the left a Swift number.
    public static func + (a: Double, b: Tensor) -> Tensor { b.scalar(a) + b }
    /// `a - b` with the right a Swift number.
    public static func - (a: Tensor, b: Double) -> Tensor { a - a.scalar(b) }
    /// `a - b` with the left a Swift number.
    public static func - (a: Double, b: Tensor) -> Tensor { b.scalar(a) - b }
    /// `a * b` with the right a Swift number.
    public static func * (a: Tensor, b: Double) -> Tensor { a * a.scalar(b) }
    /// `a * b` with the left a Swift number.
    public static func * (a: Double, b: Tensor) -> Tensor { b.scalar(a) * b }
    /// `a / b` with the right a Swift number.
    public static func / (a: Tensor, b: Double) -> Tensor { a / a.scalar(b) }
    /// `a / b` with the left a Swift number.
    public static func / (a: Double, b: Tensor) -> Tensor { b.scalar(a) / b }

    /// Elementwise `self ** exponent`, both broadcast.
    public func pow(_ exponent: Tensor) -> Tensor {
        let a = self, b = exponent
        let y = Kernels.binary(a, b, .pow)
        return y.recorded("pow", [a, b]) { g in
            [a.requiresGrad ? g * b * a.pow(b - 1) : nil,
             b.requiresGrad ? g * y * a.log() : nil]
        }
    }

    /// Elementwise `self ** exponent` for a constant exponent.
    public func pow(_ exponent: Double) -> Tensor {
        let a = self
        return Kernels.unary(a, .powScalar(exponent)).recorded("pow", [a]) { g in
            [exponent == 2 ? g * a * 2 : g * exponent * a.pow(exponent - 1)]
        }
    }

    /// Elementwise larger of `self` and `other` (NaN propagates); the gradient goes to
    /// the larger operand, split evenly on ties.
    public func maximum(_ other: Tensor) -> Tensor {
        let a = self, b = other
        return Kernels.binary(a, b, .maximum).recorded("maximum", [a, b]) { g in
            let pick = tieSplit(a.gt(b), a.eq(b), dtype: g.dtype)
            return [a.requiresGrad ? g * pick : nil, b.requiresGrad ? g * (1 - pick) : nil]
        }
    }

    /// Elementwise smaller of `self` and `other`; the gradient goes to the smaller.
    public func minimum(_ other: Tensor) -> Tensor {
        let a = self, b = other
        return Kernels.binary(a, b, .minimum).recorded("minimum", [a, b]) { g in
            let pick = tieSplit(a.lt(b), a.eq(b), dtype: g.dtype)
            return [a.requiresGrad ? g * pick : nil, b.requiresGrad ? g * (1 - pick) : nil]
        }
    }

    /// A 0-d tensor holding `value` in the dtype an op with `self` should use.
    func scalar(_ value: Double) -> Tensor {
        let integral = value.rounded() == value && Swift.abs(value) < 0x1p53
        let dtype: DType = dtype.isFloatingPoint ? dtype : (integral ? (dtype == .bool ? .int64 : dtype) : .float32)
        return Tensor(scalar: value, dtype: dtype)
    }
}

/// 1 where `wins`, 0.5 where `ties`, 0 elsewhere, as `dtype`.
private func tieSplit(_ wins: Tensor, _ ties: Tensor, dtype: DType) -> Tensor {
    wins.to(dtype) + ties.to(dtype) * 0.5
}
