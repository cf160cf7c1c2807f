import Ember
import EmberNN

/// A fully connected classifier: flatten, then `Linear → ReLU (→ Dropout)` for each
/// hidden size, then `Linear` to the classes: `[N, ...] -> [N, classes]`.
///
/// Its parameters are named as PyTorch's `nn.Sequential(Linear, ReLU, Linear, …)`
/// (`0.weight`, `2.weight`, …), so weights move between the two.
public final class MLP: Module, Layer {
    /// The layers after flattening.
    public let layers: Sequential

    /// Hidden sizes `[256, 128]` give 784-256-128-10 for Fashion-MNIST.
    public init(inFeatures: Int, hidden: [Int], classes: Int, dropout: Double = 0) {
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
    }

    public override func namedChildren() -> [(name: String, module: Module)] { layers.namedChildren() }

    /// `[N, ...] -> [N, classes]` (logits).
    public func callAsFunction(_ x: Tensor) -> Tensor { layers(x.flatten(startDim: 1)) }
}
