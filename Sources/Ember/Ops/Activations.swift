/// Activation functions, PyTorch's names and defaults.
extension Tensor {
    /// `max(x, 0)`.
    public func relu() -> Tensor {
        let x = self
        return Kernels.unary(x, .relu).recorded("relu", [x]) { g in [g.passingWherePositive(x)] }
    }

    /// `self` where `x > 0`, else 0, in one pass: ReLU's backward. It is linear in
    /// `self`, so its own backward is itself with the same `x`.
    func passingWherePositive(_ x: Tensor) -> Tensor {
        precondition(shape == x.shape && dtype == x.dtype && dtype.isFloatingPoint,
                     OpMessage.mismatch(op: "reluBackward", shape, x.shape))
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        if dtype == .float32 {
            Elementwise.zip(self, x, into: out, PassWherePositive<Float>())
        } else {
            Elementwise.zip(self, x, into: out, PassWherePositive<Double>())
        }
        return out.recorded("reluBackward", [self]) { g in [g.passingWherePositive(x)] }
    }

    /// `x` where positive, `negativeSlope * x` elsewhere.
    public func leakyRelu(negativeSlope: Double = 0.01) -> Tensor {
        let x = self
        return Kernels.unary(x, .leakyRelu(slope: negativeSlope)).recorded("leakyRelu", [x]) { g in
            let positive = x.gt(0).to(g.dtype)
            return [g * (positive + (1 - positive) * negativeSlope)]
        }
    }

    /// `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor {
        let y = Kernels.unary(self, .sigmoid)
        return y.recorded("sigmoid", [self]) { g in [g * y * (1 - y)] }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let y = Kernels.unary(self, .tanh)
        return y.recorded("tanh", [self]) { g in [g * (1 - y * y)] }
    }

    /// How `gelu` computes the Gaussian CDF (PyTorch's `approximate` argument).
    public enum GELUApproximation: Sendable {
        /// `x Φ(x)` with the exact error function.
        case none
        /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
        case tanh
    }

    /// Gaussian error linear unit, exact unless told to use the tanh approximation.
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        let x = self
        switch approximate {
        case .none:
            return Kernels.unary(x, .gelu).recorded("gelu", [x]) { g in
                // With createGraph, the formula in differentiable ops; otherwise one fused pass.
                guard GradMode.isEnabled else { return [Kernels.geluBackward(x, g)] }
                let cdf = ((x * 0.7071067811865476).erf() + 1) * 0.5
                let pdf = (x * x * -0.5).exp() * 0.3989422804014327
                return [g * (cdf + x * pdf)]
            }
        case .tanh:
            return Kernels.unary(x, .geluTanh).recorded("gelu", [x]) { g in
                let k = 0.7978845608028654, c = 0.044715
                let t = ((x + x.pow(3) * c) * k).tanh()
                let dInner = (x * x * (3 * c) + 1) * k
                return [g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dInner)]
            }
        }
    }

    /// `softmax` along `dim`: `e^x / Σ e^x`, computed stably.
    public func softmax(dim: Int) -> Tensor {
        let y = Kernels.softmax(self, dim: dim, log: false)
        return y.recorded("softmax", [self]) { g in
            [y * (g - (g * y).sum(dim: dim, keepDim: true))]
        }
    }

    /// `log(softmax(x))` along `dim`, computed without forming the softmax.
    public func logSoftmax(dim: Int) -> Tensor {
        let y = Kernels.softmax(self, dim: dim, log: true)
        return y.recorded("logSoftmax", [self]) { g in
            [g - y.exp() * g.sum(dim: dim, keepDim: true)]
        }
    }

    /// The error function, elementwise (used by exact GELU's gradient).
    public func erf() -> Tensor {
        let x = self
        let y = Kernels.unary(x, .erf)
        return y.recorded("erf", [x]) { g in [g * (x * x * -1).exp() * 1.1283791670955126] }
    }
}
