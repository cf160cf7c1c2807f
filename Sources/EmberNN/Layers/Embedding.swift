import Ember

/// A lookup table of learned vectors (PyTorch's `nn.Embedding`): int64 indices of any
/// shape `[...]` give `[..., embeddingDim]`. `weight` is `[numEmbeddings, embeddingDim]`,
/// initialised from N(0, 1).
public final class Embedding: Module, Layer {
    /// `[numEmbeddings, embeddingDim]`.
    public let weight: Parameter

    /// A table of `numEmbeddings` vectors of `embeddingDim` values.
    public init(numEmbeddings: Int, embeddingDim: Int, dtype: DType = .float32) {
        precondition(numEmbeddings > 0 && embeddingDim > 0,
                     "Embedding: sizes must be positive, got \(numEmbeddings) x \(embeddingDim)")
        weight = Parameter(Tensor.randn([numEmbeddings, embeddingDim], dtype: dtype))
    }

    public func callAsFunction(_ indices: Tensor) -> Tensor {
        weight.indexSelect(dim: 0, index: indices.reshape([-1])).reshape(indices.shape + [weight.shape[1]])
    }
}
