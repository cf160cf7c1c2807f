import Ember

/// `max(x, 0)` as a layer.
public final class ReLU: Module, Layer {
    /// The activation as a layer.
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// Leaky ReLU as a layer.
public final class LeakyReLU: Module, Layer {
    /// Slope for negative inputs.
    public let negativeSlope: Double
    /// Leaky ReLU with `negativeSlope` (PyTorch's default 0.01).
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.leakyRelu(negativeSlope: negativeSlope) }
}

/// The logistic sigmoid as a layer.
public final class Sigmoid: Module, Layer {
    /// The activation as a layer.
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// Hyperbolic tangent as a layer.
public final class Tanh: Module, Layer {
    /// The activation as a layer.
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}

/// GELU as a layer (exact unless told to use the tanh approximation).
public final class GELU: Module, Layer {
    /// How Φ is computed.
    public let approximate: Tensor.GELUApproximation
    /// GELU, exact unless `approximate` is `.tanh`.
    public init(approximate: Tensor.GELUApproximation = .none) { self.approximate = approximate }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.gelu(approximate: approximate) }
}

/// Softmax along `dim` as a layer.
public final class Softmax: Module, Layer {
    /// The dimension that sums to one.
    public let dim: Int
    /// Normalising along `dim`.
    public init(dim: Int) { self.dim = dim }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.softmax(dim: dim) }
}

/// Log-softmax along `dim` as a layer.
public final class LogSoftmax: Module, Layer {
    /// The normalised dimension.
    public let dim: Int
    /// Normalising along `dim`.
    public init(dim: Int) { self.dim = dim }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.logSoftmax(dim: dim) }
}

/// Merges dimensions `startDim...endDim` (PyTorch's `nn.Flatten`, default from 1, so
/// `[N, C, H, W] -> [N, C·H·W]`).
public final class Flatten: Module, Layer {
    /// First merged dimension.
    public let startDim: Int
    /// Last merged dimension.
    public let endDim: Int
    /// Merging dimensions `startDim...endDim`.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flatten(startDim: startDim, endDim: endDim) }
}
