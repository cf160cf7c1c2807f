import Ember
import EmberNN

/// A fully connected classifier: flatten, then `Linear → ReLU (→ Dropout)` for each
/// hidden size, then `Linear` to the classes: `[N, ...] -> [N, classes]`.
///
/// With an `InputNormalization` the input is standardised first. Its parameters are
/// named as PyTorch's `nn.Sequential(Linear, ReLU, Linear, …)` (`0.weight`,
/// `2.weight`, …), so weights move between the two.
public final class MLP: Module, Layer {
    /// The layers after flattening.
    public let layers: Sequential
    /// The standardisation of the input, if any (no parameters).
    public let normalization: InputNormalization?

    /// Hidden sizes `[256, 128]` give 784-256-128-10 for Fashion-MNIST; the input is
    /// standardised by `normalization` when given.
    public init(inFeatures: Int, hidden: [Int], classes: Int, dropout: Double = 0,
                normalization: InputNormalization? = nil) {
        var layers: [any Layer] = []
        var width = inFeatures
        for h in hidden {
            layers.append(Linear(inFeatures: width, outFeatures: h))
            layers.append(ReLU())
            if dropout > 0 { layers.append(Dropout(p: dropout)) }
            width = h
        }
        layers.append(Linear(inFeatures: width, outFeatures: classes))
        self.layers = Sequential(layers)
        self.normalization = normalization
    }

    public override func namedChildren() -> [(name: String, module: Module)] { layers.namedChildren() }

    /// `[N, ...] -> [N, classes]` (logits).
    public func callAsFunction(_ x: Tensor) -> Tensor { layers((normalization?(x) ?? x).flatten(startDim: 1)) }
}
