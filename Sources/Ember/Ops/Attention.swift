import Foundation

extension Tensor {
    /// Scaled dot-product attention (PyTorch's `F.scaled_dot_product_attention`):
    /// `softmax(q kᵀ · scale + mask) v` over the last two dims, as one fused op.
    ///
    /// - `self` (the queries) `[..., L, E]`, `key` `[..., S, E]`, `value` `[..., S, Ev]`,
    ///   the leading dims equal; the result is `[..., L, Ev]`.
    /// - `mask` broadcasts to `[..., L, S]`: boolean (`true` = may attend, as PyTorch) or
    ///   added to the scores (use −∞ to block). It receives no gradient.
    /// - `isCausal`: query `i` attends to keys `0...i` (PyTorch's top-left alignment),
    ///   computed without any mask tensor, and the masked blocks of the products skipped.
    /// - `dropout` drops attention weights with that probability (scaling the rest by
    ///   1/(1 − p)); pass 0 in evaluation.
    /// - `scale` defaults to 1/√E.
    ///
    /// A query whose keys are all masked attends to nothing (zero output, not NaN).
    /// Backward gives first derivatives only (`createGraph` records nothing through it).
    public func scaledDotProductAttention(key: Tensor, value: Tensor, mask: Tensor? = nil, isCausal: Bool = false,
                                          dropout: Double = 0, scale: Double? = nil,
                                          generator: Generator = .default) -> Tensor {
        if let problem = ShapeMessage.attention(query: shape, key: key.shape, value: value.shape, mask: mask?.shape) {
            preconditionFailure(problem)
        }
        precondition(dtype.isFloatingPoint && key.dtype == dtype && value.dtype == dtype,
                     "scaledDotProductAttention: dtypes \(dtype), \(key.dtype), \(value.dtype) must be one floating-point type")
        precondition(dropout >= 0 && dropout < 1, "scaledDotProductAttention: dropout must be in [0, 1), got \(dropout)")
        let l = shape[ndim - 2], s = key.shape[ndim - 2], e = shape[ndim - 1]
        let plan = Kernels.Attention(batch: Shape.count(Array(shape.dropLast(2))), queries: l, keys: s, depth: e,
                                     valueDepth: value.shape[ndim - 1], scale: scale ?? 1 / Double(e).squareRoot(),
                                     causal: isCausal)
        let q = withContiguousRows(), k = key.withContiguousRows(), v = value.withContiguousRows()
        let additive = mask.map { m in
            let scores = m.dtype == .bool
                ? Tensor.zeros(m.shape, dtype: dtype).maskedFill(m.logicalNot(), -.infinity) : m.to(dtype)
            return scores.expand(Array(shape.dropLast(2)) + [l, s]).withContiguousRows()
        }
        let keep = dropout > 0 ? generator.withSource { rng in
            Tensor.generate([plan.batch, l, s], dtype: dtype) { _ in rng.uniform() < 1 - dropout ? 1 / (1 - dropout) : 0 }
        } : nil
        let result = Kernels.attention(q, k, v, mask: additive, keep: keep, plan)
        return result.output.recorded("scaledDotProductAttention", [q, k, v]) { g in
            let grads = Kernels.attentionBackward(q, k, v, g.withContiguousRows(), keep: keep, result, plan)
            return [grads.q, grads.k, grads.v]
        }
    }

    /// This tensor if its last dim is contiguous (so its rows can go to BLAS as they
    /// are), else a contiguous copy.
    func withContiguousRows() -> Tensor {
        ndim >= 2 && (strides[ndim - 1] == 1 || shape[ndim - 1] == 1) ? self : contiguous()
    }
}

extension ShapeMessage {
    /// Why `scaledDotProductAttention` refuses these shapes, or nil.
    public static func attention(query: [Int], key: [Int], value: [Int], mask: [Int]?) -> String? {
        let op = "scaledDotProductAttention: query \(format(query)), key \(format(key)), value \(format(value))"
        guard query.count >= 2, key.count == query.count, value.count == query.count else {
            return "\(op): all three need the same rank, at least 2"
        }
        let r = query.count
        guard query.dropLast(2) == key.dropLast(2), key.dropLast(1) == value.dropLast(1) else {
            return "\(op): leading dims must agree and key and value need the same length"
        }
        guard query[r - 1] == key[r - 1] else { return "\(op): query and key need the same last dim" }
        if let mask, Shape.broadcast(mask, Array(query.dropLast(1)) + [key[r - 2]]) != Array(query.dropLast(1)) + [key[r - 2]] {
            return "\(op): mask \(format(mask)) does not broadcast to \(format(Array(query.dropLast(1)) + [key[r - 2]]))"
        }
        return nil
    }
}
