import Ember
import EmberNN

/// The spoken-digit recogniser's network: convolutions over time, or a GRU.
public enum RecognizerArch: String, ConfigChoice {
    case cnn, gru
}

/// A spoken-digit recogniser's shape: by default a three-layer 1-D CNN of 64, 128 and
/// 128 channels over 40 log-mel bands, dropout 0.1, ten classes.
public struct DigitRecognizerConfig: ModelConfig {
    public static let kind = ModelKind.recognizer
    /// The network over the frames.
    public var arch: RecognizerArch
    /// Mel bands of the input.
    public var nMels: Int
    /// The CNN's first convolution's channels (the others have twice as many), or the
    /// GRU's hidden size.
    public var width: Int
    /// Dropout before the last layer.
    public var dropout: Double
    /// Output classes.
    public var classes: Int

    /// A configuration; the defaults are `ember train speech-digits`'s.
    public init(arch: RecognizerArch = .cnn, nMels: Int = 40, width: Int = 64, dropout: Double = 0.1, classes: Int = 10) {
        self.arch = arch
        self.nMels = nMels
        self.width = width
        self.dropout = dropout
        self.classes = classes
    }

    public func validate() throws {
        try Check.positive(nMels, "n_mels")
        try Check.positive(width, "width")
        try Check.probability(dropout, "dropout")
        try Check.positive(classes, "classes")
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.batchNorm("input_norm", nMels)
        switch arch {
        case .cnn:
            let wide = try layout.scaled(width, by: 2)
            try layout.add("conv1.weight", [width, nMels, 5])
            try layout.batchNorm("bn1", width)
            try layout.add("conv2.weight", [wide, width, 5])
            try layout.batchNorm("bn2", wide)
            try layout.add("conv3.weight", [wide, wide, 3])
            try layout.batchNorm("bn3", wide)
            try layout.linear("head", try layout.scaled(wide, by: 2), classes)
        case .gru:
            try layout.recurrent("gru", .gru, input: nMels, hidden: width, layers: 2)
            try layout.linear("head", try layout.scaled(width, by: 2), classes)
        }
    }

    public func build() -> DigitRecognizer { DigitRecognizer(self) }

    public var erased: AnyModelConfig { .recognizer(self) }
}

/// A spoken-digit classifier over log-mel spectrograms, `[N, 1, nMels, T]` →
/// `[N, classes]` logits. The input bands are batch-normalised first (so decibels need
/// no fitted scale). Then either
///
///     cnn: conv1d(nMels→w, 5) → BN → ReLU → maxpool 2      [N, w, T/2]
///          conv1d(w→2w, 5) → BN → ReLU → maxpool 2         [N, 2w, T/4]
///          conv1d(2w→2w, 3) → BN → ReLU                    [N, 2w, T/4]
///     gru: 2-layer GRU of w over the frames                [N, T, w]
///
/// and the frames pooled by their mean and their maximum side by side (so a digit
/// anywhere in the window counts the same), dropout, and a linear layer to the classes.
public final class DigitRecognizer: Module, Layer {
    /// Batch normalisation of the input's bands.
    public let inputNorm: BatchNorm1d
    /// The CNN's convolutions (no bias: batch norm follows each), when `arch` is cnn.
    public let conv1: Conv1d?, conv2: Conv1d?, conv3: Conv1d?
    /// Batch normalisation after each convolution.
    public let bn1: BatchNorm1d?, bn2: BatchNorm1d?, bn3: BatchNorm1d?
    /// The recurrent network, when `arch` is gru.
    public let gru: GRU?
    /// Dropout before the head.
    public let drop: Dropout
    /// Pooled features → classes.
    public let head: Linear

    /// The network `config` describes, freshly initialised.
    public init(_ config: DigitRecognizerConfig = DigitRecognizerConfig()) {
        let (mels, w) = (config.nMels, config.width)
        inputNorm = BatchNorm1d(numFeatures: mels)
        let features: Int
        switch config.arch {
        case .cnn:
            conv1 = Conv1d(inChannels: mels, outChannels: w, kernelSize: 5, padding: Conv1d.same, bias: false)
            conv2 = Conv1d(inChannels: w, outChannels: 2 * w, kernelSize: 5, padding: Conv1d.same, bias: false)
            conv3 = Conv1d(inChannels: 2 * w, outChannels: 2 * w, kernelSize: 3, padding: Conv1d.same, bias: false)
            (bn1, bn2, bn3) = (BatchNorm1d(numFeatures: w), BatchNorm1d(numFeatures: 2 * w), BatchNorm1d(numFeatures: 2 * w))
            gru = nil
            features = 4 * w
        case .gru:
            (conv1, conv2, conv3, bn1, bn2, bn3) = (nil, nil, nil, nil, nil, nil)
            gru = GRU(inputSize: mels, hiddenSize: w, numLayers: 2, batchFirst: true)
            features = 2 * w
        }
        drop = Dropout(p: config.dropout)
        head = Linear(inFeatures: features, outFeatures: config.classes)
    }

    /// `[N, 1, nMels, T]` (or `[N, nMels, T]`) → `[N, classes]` logits.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition((x.ndim == 4 && x.shape[1] == 1) || x.ndim == 3,
                     "DigitRecognizer: input \(OpMessage.format(x.shape)) must be [N, 1, nMels, T] or [N, nMels, T]")
        let bands = inputNorm(x.ndim == 4 ? x.squeeze(1) : x)           // [N, nMels, T]
        let frames: Tensor                                              // [N, C, T']
        if let gru {
            frames = gru(bands.transpose(1, 2)).output.transpose(1, 2)
        } else if let conv1, let conv2, let conv3, let bn1, let bn2, let bn3 {
            var h = halved(bn1(conv1(bands)).relu())
            h = halved(bn2(conv2(h)).relu())
            frames = bn3(conv3(h)).relu()
        } else {
            preconditionFailure("DigitRecognizer: neither convolutions nor a GRU")
        }
        let pooled = Tensor.cat([frames.mean(dim: 2), frames.max(dim: 2)], dim: 1)   // [N, 2C]
        return head(drop(pooled))
    }

    /// Max pooling by 2 along time: `[N, C, T] -> [N, C, T / 2]`.
    private func halved(_ x: Tensor) -> Tensor {
        x.unsqueeze(2).maxPool2d(kernelSize: Size2D(1, 2)).squeeze(2)
    }
}
