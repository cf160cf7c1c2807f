import Foundation
import Ember

/// Fixed sinusoidal positions ("Attention Is All You Need"), added to `[..., T, E]`:
/// `pe[t, 2i] = sin(t / 10000^(2i/E))`, `pe[t, 2i+1] = cos(t / 10000^(2i/E))`.
/// The table is the buffer `pe` `[maxLength, E]`.
public final class SinusoidalPositionalEncoding: Module, Layer {
    /// `[maxLength, E]`.
    public let pe: Tensor

    /// Positions `0..<maxLength` for width `embedDim`.
    public init(embedDim: Int, maxLength: Int = 5000, dtype: DType = .float32) {
        precondition(embedDim > 0 && maxLength > 0, "SinusoidalPositionalEncoding: sizes must be positive, got \(embedDim), \(maxLength)")
        var table = [Double](repeating: 0, count: maxLength * embedDim)
        for t in 0..<maxLength {
            for i in stride(from: 0, to: embedDim, by: 2) {
                let angle = Double(t) / pow(10_000, Double(i) / Double(embedDim))
                table[t * embedDim + i] = sin(angle)
                if i + 1 < embedDim { table[t * embedDim + i + 1] = cos(angle) }
            }
        }
        pe = Tensor(table, shape: [maxLength, embedDim]).to(dtype)
    }

    /// `x + pe[0..<T]` for `x` `[..., T, E]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x + positions(x) }

    /// The table's first `T` rows, for `x` `[..., T, E]`.
    private func positions(_ x: Tensor) -> Tensor {
        precondition(x.ndim >= 2 && x.shape[x.ndim - 1] == pe.shape[1] && x.shape[x.ndim - 2] <= pe.shape[0],
                     "SinusoidalPositionalEncoding: input \(OpMessage.format(x.shape)) must be [..., T ≤ \(pe.shape[0]), \(pe.shape[1])]")
        return pe.narrow(dim: 0, start: 0, length: x.shape[x.ndim - 2])
    }
}

/// Learned positions (GPT-2's `wpe`, BERT's position embeddings): a `weight`
/// `[maxLength, E]` initialised N(0, 1) as `nn.Embedding`, whose first `T` rows are
/// added to `[..., T, E]`, starting at `offset` (the tokens already seen when
/// generating with a cache).
public final class LearnedPositionalEmbedding: Module, Layer {
    /// `[maxLength, E]`.
    public let weight: Parameter

    /// Positions `0..<maxLength` for width `embedDim`.
    public init(maxLength: Int, embedDim: Int, dtype: DType = .float32) {
        precondition(embedDim > 0 && maxLength > 0, "LearnedPositionalEmbedding: sizes must be positive, got \(maxLength), \(embedDim)")
        weight = Parameter(Tensor.randn([maxLength, embedDim], dtype: dtype))
    }

    /// `x + weight[0..<T]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, offset: 0) }

    /// `x + weight[offset..<offset + T]` for `x` `[..., T, E]`.
    public func callAsFunction(_ x: Tensor, offset: Int) -> Tensor {
        precondition(x.ndim >= 2 && x.shape[x.ndim - 1] == weight.shape[1] && offset >= 0
                     && offset + x.shape[x.ndim - 2] <= weight.shape[0],
                     "LearnedPositionalEmbedding: input \(OpMessage.format(x.shape)) at offset \(offset) must fit [\(weight.shape[0]), \(weight.shape[1])]")
        return x + weight.narrow(dim: 0, start: offset, length: x.shape[x.ndim - 2])
    }
}
