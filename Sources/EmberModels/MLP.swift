import Ember
import EmberNN

/// An MLP's shape: the reference recipe's 784-256-128-10 by default, no dropout, the
/// input read as it is.
public struct MLPConfig: ModelConfig {
    public static let kind = ModelKind.mlp
    /// Input features (after flattening).
    public var inFeatures: Int
    /// Hidden sizes, in order.
    public var hidden: [Int]
    /// Output classes.
    public var classes: Int
    /// Dropout after each hidden layer.
    public var dropout: Double
    /// The standardisation of the input, if any.
    public var normalization: InputNormalization?

    /// A configuration; the defaults are the reference recipe's.
    public init(inFeatures: Int = 784, hidden: [Int] = [256, 128], classes: Int = 10, dropout: Double = 0,
                normalization: InputNormalization? = nil) {
        self.inFeatures = inFeatures
        self.hidden = hidden
        self.classes = classes
        self.dropout = dropout
        self.normalization = normalization
    }

    public func validate() throws {
        try Check.positive(inFeatures, "in_features")
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else { throw ConfigError(keys: ["hidden"], "hidden must be positive sizes, got \(hidden)") }
        try Check.positive(classes, "classes")
        try Check.probability(dropout, "dropout")
        try normalization?.validate()
    }

    public func describeState(_ layout: inout StateLayout) throws {
        let stride = dropout > 0 ? 3 : 2  // Linear, ReLU (, Dropout) per hidden layer
        var width = inFeatures
        for (i, h) in hidden.enumerated() {
            try layout.linear("\(i * stride)", width, h)
            width = h
        }
        try layout.linear("\(hidden.count * stride)", width, classes)
    }

    public func build() -> MLP { MLP(self) }

    public var erased: AnyModelConfig { .mlp(self) }
}

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

    /// The network `config` describes: hidden sizes `[256, 128]` give 784-256-128-10
    /// for Fashion-MNIST; the input is standardised when it has a normalisation.
    public init(_ config: MLPConfig = MLPConfig()) {
        var layers: [any Layer] = []
        var width = config.inFeatures
        for h in config.hidden {
            layers.append(Linear(inFeatures: width, outFeatures: h))
            layers.append(ReLU())
            if config.dropout > 0 { layers.append(Dropout(p: config.dropout)) }
            width = h
        }
        layers.append(Linear(inFeatures: width, outFeatures: config.classes))
        self.layers = Sequential(layers)
        normalization = config.normalization
    }

    public override func namedChildren() -> [(name: String, module: Module)] { layers.namedChildren() }

    /// `[N, ...] -> [N, classes]` (logits).
    public func callAsFunction(_ x: Tensor) -> Tensor { layers((normalization?(x) ?? x).flatten(startDim: 1)) }
}
