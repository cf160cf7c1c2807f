import Ember

/// Multi-head attention (PyTorch's `nn.MultiheadAttention`): queries, keys and values
/// projected by one packed weight, split into `numHeads` heads of `embedDim / numHeads`,
/// attended with the fused `scaledDotProductAttention`, merged and projected back.
///
/// Sequences are `[L, B, E]` (time first, PyTorch's default) or `[B, L, E]` with
/// `batchFirst`; unbatched `[L, E]` works too. Parameter names are PyTorch's:
/// `in_proj_weight` `[3E, E]` (xavier-uniform), `in_proj_bias` `[3E]` (zeros),
/// `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]` (zeros).
///
/// Masks follow `nn.MultiheadAttention`, not `scaledDotProductAttention`: a boolean
/// `true` marks a position that may **not** be attended; float masks are added.
public final class MultiheadAttention: Module {
    /// Packed query, key and value projections, `[3E, E]`.
    public let inProjWeight: Parameter
    /// Their biases, `[3E]`, or nil without bias.
    public let inProjBias: Parameter?
    /// The projection after the heads are merged, `E -> E`.
    public let outProj: Linear
    /// Model width `E`.
    public let embedDim: Int
    /// Number of heads; each has `embedDim / numHeads` dims.
    public let numHeads: Int
    /// Dropout on the attention weights in training.
    public let dropout: Double
    /// Whether sequences are `[B, L, E]` rather than `[L, B, E]`.
    public let batchFirst: Bool

    /// Attention of width `embedDim` in `numHeads` heads.
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, bias: Bool = true, batchFirst: Bool = false,
                dtype: DType = .float32) {
        precondition(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0,
                     "MultiheadAttention: embedDim \(embedDim) must be a positive multiple of numHeads \(numHeads)")
        precondition(dropout >= 0 && dropout < 1, "MultiheadAttention: dropout must be in [0, 1), got \(dropout)")
        self.embedDim = embedDim
        self.numHeads = numHeads
        self.dropout = dropout
        self.batchFirst = batchFirst
        inProjWeight = Parameter(Tensor.zeros([3 * embedDim, embedDim], dtype: dtype))
        Init.xavierUniform(inProjWeight)
        inProjBias = bias ? Parameter(Tensor.zeros([3 * embedDim], dtype: dtype)) : nil
        outProj = Linear(inFeatures: embedDim, outFeatures: embedDim, bias: bias, dtype: dtype)
        if let b = outProj.bias { Init.constant(b, 0) }
    }

    /// Self-attention: `x` attends to itself.
    public func callAsFunction(_ x: Tensor, attentionMask: Tensor? = nil, keyPaddingMask: Tensor? = nil,
                               isCausal: Bool = false) -> Tensor {
        callAsFunction(query: x, key: x, value: x, attentionMask: attentionMask, keyPaddingMask: keyPaddingMask,
                       isCausal: isCausal)
    }

    /// Attention of `query` (`[L, B, E]`) over `key` and `value` (`[S, B, E]`), batch
    /// first if `batchFirst`; returns `[L, B, E]` (or `[B, L, E]`).
    ///
    /// - `attentionMask`: `[L, S]` or `[B·numHeads, L, S]`.
    /// - `keyPaddingMask`: `[B, S]`, `true` (or −∞) at padding keys.
    /// - `isCausal`: query `i` sees keys `0...i`, with no mask tensor formed.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, attentionMask: Tensor? = nil,
                               keyPaddingMask: Tensor? = nil, isCausal: Bool = false) -> Tensor {
        let unbatched = query.ndim == 2
        precondition((query.ndim == 3 || unbatched) && key.ndim == query.ndim && value.ndim == query.ndim
                     && query.shape.last == embedDim && key.shape.last == embedDim && value.shape.last == embedDim,
                     "MultiheadAttention: query \(OpMessage.format(query.shape)), key \(OpMessage.format(key.shape)), value \(OpMessage.format(value.shape)) must be [L, B, \(embedDim)] (or [L, \(embedDim)])")
        // Work batch first: [B, L, E].
        func batched(_ t: Tensor) -> Tensor { unbatched ? t.unsqueeze(0) : batchFirst ? t : t.transpose(0, 1) }
        let q = batched(query), k = batched(key), v = batched(value)
        let b = q.shape[0], l = q.shape[1], s = k.shape[1], e = embedDim, h = numHeads, d = e / h
        precondition(k.shape[0] == b && v.shape[0] == b && v.shape[1] == s,
                     "MultiheadAttention: query \(OpMessage.format(query.shape)), key \(OpMessage.format(key.shape)), value \(OpMessage.format(value.shape)) disagree in batch or length")
        let mask = combinedMask(attentionMask, keyPaddingMask, batch: b, queries: l, keys: s, dtype: q.dtype)
        let p = training ? dropout : 0
        let attended: Tensor
        if query === key && key === value {
            attended = q.linear(weight: inProjWeight, bias: inProjBias).packedSelfAttention(heads: h, mask: mask, isCausal: isCausal,
                                                                                           dropout: p)
        } else {
            let weights = inProjWeight.split(e, dim: 0), biases = inProjBias?.split(e, dim: 0)
            let heads = [q, k, v].enumerated().map { i, t in
                t.linear(weight: weights[i], bias: biases?[i]).view([b, i == 0 ? l : s, h, d]).transpose(1, 2)
            }
            attended = heads[0].scaledDotProductAttention(key: heads[1], value: heads[2], mask: mask, isCausal: isCausal, dropout: p)
        }
        let merged = outProj(attended.transpose(1, 2).reshape([b, l, e]))
        return unbatched ? merged.squeeze(0) : batchFirst ? merged : merged.transpose(0, 1)
    }

    /// The attention and key-padding masks as one additive mask broadcasting to
    /// `[B, H, L, S]`, or nil if there is none.
    private func combinedMask(_ attention: Tensor?, _ padding: Tensor?, batch: Int, queries: Int, keys: Int,
                              dtype: DType) -> Tensor? {
        func additive(_ m: Tensor) -> Tensor {
            m.dtype == .bool ? Tensor.zeros(m.shape, dtype: dtype).maskedFill(m, -.infinity) : m.to(dtype)
        }
        var result: Tensor?
        if let attention {
            let shape = attention.shape
            precondition(shape == [queries, keys] || shape == [batch * numHeads, queries, keys],
                         "MultiheadAttention: attentionMask \(OpMessage.format(shape)) must be [\(queries), \(keys)] or [\(batch * numHeads), \(queries), \(keys)]")
            result = additive(attention.ndim == 2 ? attention : attention.reshape([batch, numHeads, queries, keys]))
        }
        if let padding {
            precondition(padding.shape == [batch, keys] || (batch == 1 && padding.shape == [keys]),
                         "MultiheadAttention: keyPaddingMask \(OpMessage.format(padding.shape)) must be [\(batch), \(keys)]")
            let p = additive(padding.reshape([batch, 1, 1, keys]))
            result = result.map { $0 + p } ?? p
        }
        return result
    }
}
