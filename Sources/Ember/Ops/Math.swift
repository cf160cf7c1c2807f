/// Elementwise math functions. Each backward is written with Tensor ops.
extension Tensor {
    /// `e^x`.
    public func exp() -> Tensor {
        let y = Kernels.unary(self, .exp)
        return y.recorded("exp", [self]) { g in [g * y] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        let x = self
        return Kernels.unary(x, .log).recorded("log", [x]) { g in [g / x] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let y = Kernels.unary(self, .sqrt)
        return y.recorded("sqrt", [self]) { g in [g / (y * 2)] }
    }

    /// `1 / sqrt(x)`.
    public func rsqrt() -> Tensor {
        let y = Kernels.unary(self, .rsqrt)
        return y.recorded("rsqrt", [self]) { g in [g * y.pow(3) * -0.5] }
    }

    /// Absolute value; its gradient at 0 is 0, as PyTorch's.
    public func abs() -> Tensor {
        let x = self
        return Kernels.unary(x, .abs).recorded("abs", [x]) { g in [g * x.sign()] }
    }

    /// -1, 0 or 1 by the sign of each element (no gradient flows through it).
    public func sign() -> Tensor { Kernels.unary(self, .sign) }

    /// Sine.
    public func sin() -> Tensor {
        let x = self
        return Kernels.unary(x, .sin).recorded("sin", [x]) { g in [g * x.cos()] }
    }

    /// Cosine.
    public func cos() -> Tensor {
        let x = self
        return Kernels.unary(x, .cos).recorded("cos", [x]) { g in [-g * x.sin()] }
    }

    /// Each element limited to `[min, max]` (either bound may be omitted); the gradient
    /// passes where the input lies inside the bounds.
    public func clamp(min: Double? = nil, max: Double? = nil) -> Tensor {
        let x = self
        let lo = min ?? -.infinity, hi = max ?? .infinity
        return Kernels.unary(x, .clamp(min: lo, max: hi)).recorded("clamp", [x]) { g in
            [g * (x.ge(lo) * x.le(hi)).to(g.dtype)]
        }
    }
}
