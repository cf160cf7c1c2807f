import Ember

/// Weight initialisers, as PyTorch's `torch.nn.init`. Each fills a tensor in place
/// (without recording) and returns nothing; fans are computed as PyTorch does:
/// `fanIn = size(1) * receptive field`, `fanOut = size(0) * receptive field`.
public enum Init {
    /// How `kaiming` picks the fan.
    public enum FanMode: Sendable { case fanIn, fanOut }

    /// The nonlinearity a layer feeds, for the recommended gain.
    public enum Nonlinearity: Sendable {
        case linear, sigmoid, tanh, relu
        case leakyRelu(negativeSlope: Double)

        /// PyTorch's `calculate_gain`.
        public var gain: Double {
            switch self {
            case .linear, .sigmoid: return 1
            case .tanh: return 5.0 / 3
            case .relu: return 2.0.squareRoot()
            case .leakyRelu(let a): return (2 / (1 + a * a)).squareRoot()
            }
        }
    }

    /// Fills `t` with samples from U(low, high).
    public static func uniform(_ t: Tensor, low: Double = 0, high: Double = 1, generator: Generator = .default) {
        assign(t, Tensor.uniform(t.shape, low: low, high: high, dtype: t.dtype, generator: generator))
    }

    /// Fills `t` with samples from N(mean, std²).
    public static func normal(_ t: Tensor, mean: Double = 0, std: Double = 1, generator: Generator = .default) {
        assign(t, Tensor.randn(t.shape, dtype: t.dtype, generator: generator) * std + mean)
    }

    /// Fills `t` with `value`.
    public static func constant(_ t: Tensor, _ value: Double) {
        assign(t, Tensor.full(t.shape, value, dtype: t.dtype))
    }

    /// Glorot uniform: U(−b, b) with `b = gain · √(6 / (fanIn + fanOut))`.
    public static func xavierUniform(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let (fanIn, fanOut) = fans(t)
        let bound = gain * (6 / Double(fanIn + fanOut)).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// Glorot normal: N(0, σ²) with `σ = gain · √(2 / (fanIn + fanOut))`.
    public static func xavierNormal(_ t: Tensor, gain: Double = 1, generator: Generator = .default) {
        let (fanIn, fanOut) = fans(t)
        normal(t, std: gain * (2 / Double(fanIn + fanOut)).squareRoot(), generator: generator)
    }

    /// He uniform: U(−b, b) with `b = gain · √(3 / fan)`; PyTorch's defaults
    /// (`a` = 0, fan in, leaky ReLU).
    public static func kaimingUniform(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity? = nil, generator: Generator = .default) {
        let gain = (nonlinearity ?? .leakyRelu(negativeSlope: a)).gain
        let bound = gain * (3 / Double(fan(t, mode))).squareRoot()
        uniform(t, low: -bound, high: bound, generator: generator)
    }

    /// He normal: N(0, σ²) with `σ = gain / √fan`.
    public static func kaimingNormal(_ t: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                     nonlinearity: Nonlinearity? = nil, generator: Generator = .default) {
        let gain = (nonlinearity ?? .leakyRelu(negativeSlope: a)).gain
        normal(t, std: gain / Double(fan(t, mode)).squareRoot(), generator: generator)
    }

    /// `(fanIn, fanOut)` of a weight of rank ≥ 2 (`[out, in, k…]`).
    public static func fans(_ t: Tensor) -> (fanIn: Int, fanOut: Int) {
        precondition(t.ndim >= 2, "Init: fan in and fan out need a tensor of rank 2 or more, got \(OpMessage.format(t.shape))")
        let receptive = t.shape.dropFirst(2).reduce(1, *)
        return (t.shape[1] * receptive, t.shape[0] * receptive)
    }

    private static func fan(_ t: Tensor, _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(t)
        return mode == .fanIn ? fanIn : fanOut
    }

    private static func assign(_ t: Tensor, _ values: Tensor) {
        withNoGrad { t.copy(from: values) }
    }
}
