import Ember

/// Batch normalisation over the channel dimension (PyTorch's `nn.BatchNorm1d` and
/// `nn.BatchNorm2d`): `[N, C]`, `[N, C, L]` or `[N, C, H, W]` in, same shape out.
///
/// In training, each channel is normalised by the batch's mean and biased variance,
/// and the running statistics move towards the batch's (unbiased variance) by
/// `momentum`; in eval mode the running statistics are used.
public class BatchNorm: Module, Layer {
    /// Scale `[C]` (ones), when affine.
    public let weight: Parameter?
    /// Shift `[C]` (zeros), when affine.
    public let bias: Parameter?
    /// Running mean `[C]`.
    public let runningMean: Tensor
    /// Running variance `[C]`.
    public let runningVar: Tensor
    /// Batches seen in training, int64 scalar.
    public let numBatchesTracked: Tensor
    /// Added to the variance before the square root.
    public let eps: Double
    /// Weight of the newest batch in the running statistics.
    public let momentum: Double
    private let ranks: ClosedRange<Int>

    init(numFeatures: Int, eps: Double, momentum: Double, affine: Bool, ranks: ClosedRange<Int>) {
        precondition(numFeatures > 0, "BatchNorm: numFeatures must be positive, got \(numFeatures)")
        weight = affine ? Parameter(Tensor.ones([numFeatures])) : nil
        bias = affine ? Parameter(Tensor.zeros([numFeatures])) : nil
        runningMean = Tensor.zeros([numFeatures])
        runningVar = Tensor.ones([numFeatures])
        numBatchesTracked = Tensor.zeros([], dtype: .int64)
        self.eps = eps
        self.momentum = momentum
        self.ranks = ranks
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let c = runningMean.shape[0]
        precondition(ranks.contains(x.ndim) && x.shape[1] == c,
                     "\(Self.self): input \(OpMessage.format(x.shape)) must have rank \(ranks.lowerBound)...\(ranks.upperBound) and \(c) channels in dimension 1")
        let y = x.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                            training: training, momentum: momentum, eps: eps)
        if training { withNoGrad { numBatchesTracked += Tensor(scalar: 1, dtype: .int64) } }
        return y
    }
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` inputs.
public final class BatchNorm1d: BatchNorm {
    /// Batch normalisation of `numFeatures` channels with PyTorch's defaults.
    public init(numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, ranks: 2...3)
    }
}

/// Batch normalisation of `[N, C, H, W]` inputs.
public final class BatchNorm2d: BatchNorm {
    /// Batch normalisation of `numFeatures` channels with PyTorch's defaults.
    public init(numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, ranks: 4...4)
    }
}

/// Layer normalisation over the trailing `normalizedShape` dimensions (PyTorch's
/// `nn.LayerNorm`): each sample is normalised by its own mean and biased variance,
/// then scaled by `weight` and shifted by `bias` (both `normalizedShape`).
public final class LayerNorm: Module, Layer {
    /// Scale (ones), when affine.
    public let weight: Parameter?
    /// Shift (zeros), when affine.
    public let bias: Parameter?
    /// Added to the variance before the square root.
    public let eps: Double
    /// The trailing shape that is normalised.
    public let normalizedShape: [Int]

    /// Layer normalisation over trailing dimensions of `normalizedShape`, parameters in
    /// `dtype`; `bias: false` keeps the scale only (as nanoGPT's `bias=False`).
    public init(normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .float32) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                     "LayerNorm: normalizedShape \(normalizedShape) must be non-empty and positive")
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape, dtype: dtype)) : nil
        self.bias = elementwiseAffine && bias ? Parameter(Tensor.zeros(normalizedShape, dtype: dtype)) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
