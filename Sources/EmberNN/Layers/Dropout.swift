import Ember

/// Inverted dropout (PyTorch's `nn.Dropout`): in training, zeroes each element with
/// probability `p` and scales the rest by `1 / (1 − p)`; in eval mode, the identity.
public final class Dropout: Module, Layer {
    /// Probability of zeroing an element.
    public let p: Double

    /// Dropout zeroing elements with probability `p`.
    public init(p: Double = 0.5) {
        precondition(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got \(p)")
        self.p = p
    }

    /// Same shape out as in.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.dropout(p: p, training: training) }
}
