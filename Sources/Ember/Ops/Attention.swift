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
        if let problem = OpMessage.attention(query: shape, key: key.shape, value: value.shape, mask: mask?.shape) {
            preconditionFailure(problem)
        }
        precondition(dtype.isFloatingPoint && key.dtype == dtype && value.dtype == dtype,
                     "scaledDotProductAttention: dtypes \(dtype), \(key.dtype), \(value.dtype) must be one floating-point type")
        precondition(dropout >= 0 && dropout < 1, "scaledDotProductAttention: dropout must be in [0, 1), got \(dropout)")
        let q = withContiguousRows(), k = key.withContiguousRows(), v = value.withContiguousRows()
        let forward = Tensor.attend(q, k, v, mask: mask, isCausal: isCausal, dropout: dropout, scale: scale, generator: generator)
        return forward.result.output.recorded("scaledDotProductAttention", [q, k, v]) { g in
            let gq = Kernels.headsInterleaved(q.shape, dtype: q.dtype)
            let gk = Kernels.headsInterleaved(k.shape, dtype: k.dtype), gv = Kernels.headsInterleaved(v.shape, dtype: v.dtype)
            Kernels.attentionBackward(q, k, v, g.withContiguousRows(), keep: forward.keep, forward.result, forward.plan, into: (gq, gk, gv))
            return [gq, gk, gv]
        }
    }

    /// Causal or masked self-attention straight from a packed projection, as a
    /// transformer computes it: `self` is `[B, T, 3·E]` holding q, k and v side by side
    /// (each `E = heads · D`, head-major, as nanoGPT's `c_attn` and PyTorch's
    /// `in_proj` produce), the result `[B, heads, T, D]`. The same as splitting, viewing
    /// as heads and calling `scaledDotProductAttention`, but the gradient is written
    /// straight into one `[B, T, 3·E]` tensor instead of three zero-padded ones that
    /// autograd then adds up.
    public func packedSelfAttention(heads: Int, mask: Tensor? = nil, isCausal: Bool = false, dropout: Double = 0,
                                    scale: Double? = nil, generator: Generator = .default) -> Tensor {
        precondition(ndim == 3 && heads > 0 && shape[2] % (3 * heads) == 0,
                     "packedSelfAttention: input \(OpMessage.format(shape)) must be [B, T, 3·E] with E a multiple of heads \(heads)")
        precondition(dtype.isFloatingPoint, OpMessage.dtype(op: "packedSelfAttention", dtype, expected: "float32 or float64"))
        let scores = [shape[0], heads, shape[1], shape[1]]
        if let mask {
            precondition(Shape.broadcast(mask.shape, scores) == scores,
                         "packedSelfAttention: mask \(OpMessage.format(mask.shape)) does not broadcast to \(OpMessage.format(scores))")
        }
        precondition(dropout >= 0 && dropout < 1, "packedSelfAttention: dropout must be in [0, 1), got \(dropout)")
        let packed = contiguous()
        let parts = Tensor.heads(of: packed, count: heads)
        let forward = Tensor.attend(parts.q, parts.k, parts.v, mask: mask, isCausal: isCausal, dropout: dropout, scale: scale,
                                    generator: generator)
        return forward.result.output.recorded("packedSelfAttention", [packed]) { g in
            let gradient = Tensor(uninitializedShape: packed.shape, dtype: packed.dtype)
            let into = Tensor.heads(of: gradient, count: heads)
            Kernels.attentionBackward(parts.q, parts.k, parts.v, g.withContiguousRows(), keep: forward.keep, forward.result,
                                      forward.plan, into: (into.q, into.k, into.v))
            return [gradient]
        }
    }

    /// The query, key and value heads of a contiguous packed `[B, T, 3·H·D]` tensor as
    /// `[B, H, T, D]` views (not recorded).
    private static func heads(of packed: Tensor, count heads: Int) -> (q: Tensor, k: Tensor, v: Tensor) {
        let b = packed.shape[0], t = packed.shape[1], width = packed.shape[2], e = width / 3, d = e / heads
        func part(_ i: Int) -> Tensor {
            packed.view(shape: [b, heads, t, d], strides: [t * width, d, width, 1], offset: packed.offset + i * e)
        }
        return (part(0), part(1), part(2))
    }

    /// The forward pass both attention ops share: the plan, the mask made additive and
    /// broadcast to `[..., L, S]`, dropout's keep factors, and the kernel's result.
    private static func attend(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, isCausal: Bool, dropout: Double,
                               scale: Double?, generator: Generator)
        -> (plan: Kernels.Attention, keep: Tensor?, result: Kernels.AttentionResult) {
        let r = q.ndim, l = q.shape[r - 2], s = k.shape[r - 2], e = q.shape[r - 1], lead = Array(q.shape.dropLast(2))
        let plan = Kernels.Attention(batch: Shape.count(lead), queries: l, keys: s, depth: e, valueDepth: v.shape[r - 1],
                                     scale: scale ?? 1 / Double(e).squareRoot(), causal: isCausal)
        let additive = mask.map { m in
            let scores = m.dtype == .bool
                ? Tensor.zeros(m.shape, dtype: q.dtype).maskedFill(m.logicalNot(), -.infinity) : m.to(q.dtype)
            return scores.expand(lead + [l, s]).withContiguousRows()
        }
        let keep = dropout > 0 ? generator.withSource { rng in
            Tensor.generate([plan.batch, l, s], dtype: q.dtype) { _ in rng.uniform() < 1 - dropout ? 1 / (1 - dropout) : 0 }
        } : nil
        return (plan, keep, Kernels.attention(q, k, v, mask: additive, keep: keep, plan))
    }

    /// This tensor if its last dim is contiguous (so its rows can go to BLAS as they
    /// are), else a contiguous copy.
    func withContiguousRows() -> Tensor {
        ndim >= 2 && (strides[ndim - 1] == 1 || shape[ndim - 1] == 1) ? self : contiguous()
    }
}

extension OpMessage {
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
