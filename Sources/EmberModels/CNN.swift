import Ember
import EmberNN

/// The CNN's options: 10 classes, dropout 0.5, no batch normalisation and the input
/// read as it is by default (the reference recipe).
public struct CNNConfig: ModelConfig {
    public static let kind = ModelKind.cnn
    /// Output classes.
    public var classes: Int
    /// Dropout before the last layer.
    public var dropout: Double
    /// Whether batch normalisation follows each convolution.
    public var batchNorm: Bool
    /// The standardisation of the input, if any.
    public var normalization: InputNormalization?

    /// A configuration; the defaults are the reference recipe's.
    public init(classes: Int = 10, dropout: Double = 0.5, batchNorm: Bool = false, normalization: InputNormalization? = nil) {
        self.classes = classes
        self.dropout = dropout
        self.batchNorm = batchNorm
        self.normalization = normalization
    }

    public func validate() throws {
        try Check.positive(classes, "classes")
        try Check.probability(dropout, "dropout")
        try normalization?.validate()
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.conv2d("c1", 1, 32, kernel: 3, bias: !batchNorm)
        if batchNorm { try layout.batchNorm("bn1", 32) }
        try layout.conv2d("c2", 32, 64, kernel: 3, bias: !batchNorm)
        if batchNorm { try layout.batchNorm("bn2", 64) }
        try layout.linear("f1", 64 * 7 * 7, 128)
        try layout.linear("f2", 128, classes)
    }

    public func build() -> CNN { CNN(self) }

    public var erased: AnyModelConfig { .cnn(self) }
}

/// The small convolutional classifier of the peer benchmark, for 28×28 grey images:
///
///     conv(1→32, 3×3, pad 1) → [BN] → ReLU → maxpool 2       [N, 32, 14, 14]
///     conv(32→64, 3×3, pad 1) → [BN] → ReLU → maxpool 2      [N, 64, 7, 7]
///     flatten → fc(3136→128) → ReLU → dropout → fc(128→10)   [N, 10]
///
/// With an `InputNormalization` the images are standardised before `c1`. Without
/// batch normalisation its parameters carry the peer's names (`c1`, `c2`, `f1`, `f2`).
public final class CNN: Module, Layer {
    /// First convolution, 1 → 32 channels.
    public let c1: Conv2d
    /// Batch normalisation after `c1`, if any.
    public let bn1: BatchNorm2d?
    /// Second convolution, 32 → 64 channels.
    public let c2: Conv2d
    /// Batch normalisation after `c2`, if any.
    public let bn2: BatchNorm2d?
    /// 3136 → 128.
    public let f1: Linear
    /// Dropout before the last layer.
    public let drop: Dropout
    /// 128 → classes.
    public let f2: Linear
    /// The standardisation of the input images, if any (no parameters).
    public let normalization: InputNormalization?

    /// The network for `config.classes` classes, with its dropout before the last
    /// layer, optional batch norm, and the input standardised when it has a
    /// normalisation.
    public init(_ config: CNNConfig = CNNConfig()) {
        let (classes, dropout, batchNorm, normalization) = (config.classes, config.dropout, config.batchNorm, config.normalization)
        c1 = Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, padding: 1, bias: !batchNorm)
        bn1 = batchNorm ? BatchNorm2d(numFeatures: 32) : nil
        c2 = Conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, padding: 1, bias: !batchNorm)
        bn2 = batchNorm ? BatchNorm2d(numFeatures: 64) : nil
        f1 = Linear(inFeatures: 64 * 7 * 7, outFeatures: 128)
        drop = Dropout(p: dropout)
        f2 = Linear(inFeatures: 128, outFeatures: classes)
        self.normalization = normalization
    }

    /// `[N, 1, 28, 28] -> [N, classes]` (logits).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = c1(normalization?(x) ?? x)                       // [N, 32, 28, 28]
        if let bn1 { h = bn1(h) }
        // ReLU is monotonic, so pooling first gives the same values and gradients on a
        // quarter of the elements.
        h = h.maxPool2d(kernelSize: 2).relu()                    // [N, 32, 14, 14]
        h = c2(h)                                                // [N, 64, 14, 14]
        if let bn2 { h = bn2(h) }
        h = h.maxPool2d(kernelSize: 2).relu()                    // [N, 64, 7, 7]
        h = drop(f1(h.flatten(startDim: 1)).relu())              // [N, 128]
        return f2(h)                                             // [N, classes]
    }
}
