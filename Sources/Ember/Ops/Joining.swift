/// Joining tensors and splitting them into views.
extension Tensor {
    /// `tensors` joined along `dim`; all have the same dtype and the same shape in
    /// every other dimension.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "cat: needs at least one tensor")
        let first = tensors[0]
        let d = Shape.normalize(dim, rank: first.ndim, op: "cat")
        for t in tensors {
            precondition(t.dtype == first.dtype, "cat: dtypes \(first.dtype) and \(t.dtype) differ")
            precondition(t.ndim == first.ndim && (0..<t.ndim).allSatisfy { $0 == d || t.shape[$0] == first.shape[$0] },
                         "cat: shapes \(tensors.map { OpMessage.format($0.shape) }.joined(separator: ", ")) differ outside dimension \(dim)")
        }
        var shape = first.shape
        shape[d] = tensors.reduce(0) { $0 + $1.shape[d] }
        let out = Tensor(uninitializedShape: shape, dtype: first.dtype)
        var starts: [Int] = []
        var start = 0
        for t in tensors {
            starts.append(start)
            Copy.assign(t, to: out.slice(dim: d, start: start, end: start + t.shape[d]))
            start += t.shape[d]
        }
        return out.recorded("cat", tensors) { g in
            zip(tensors, starts).map { t, s in t.requiresGrad ? g.narrow(dim: d, start: s, length: t.shape[d]) : nil }
        }
    }

    /// `tensors`, all of one shape, stacked along a new dimension `dim`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: needs at least one tensor")
        let shape = tensors[0].shape
        for t in tensors where t.shape != shape {
            preconditionFailure(OpMessage.mismatch(op: "stack", shape, t.shape))
        }
        let d = Shape.normalize(dim, rank: shape.count + 1, op: "stack")
        return cat(tensors.map { $0.unsqueeze(d) }, dim: d)
    }

    /// Views of `size` entries each along `dim` (the last may be shorter).
    public func split(_ size: Int, dim: Int = 0) -> [Tensor] {
        let d = Shape.normalize(dim, rank: ndim, op: "split")
        precondition(size > 0, "split: size must be positive, got \(size)")
        return stride(from: 0, to: shape[d], by: size).map { narrow(dim: d, start: $0, length: Swift.min(size, shape[d] - $0)) }
    }

    /// Views of the given `sizes` along `dim`; they must add up to its length.
    public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
        let d = Shape.normalize(dim, rank: ndim, op: "split")
        precondition(sizes.reduce(0, +) == shape[d], "split: sizes \(sizes) do not add up to \(shape[d]) along dimension \(dim) of \(OpMessage.format(shape))")
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return narrow(dim: d, start: start, length: n)
        }
    }

    /// At most `chunks` views of equal size along `dim` (the last may be shorter).
    public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
        precondition(chunks > 0, "chunk: chunks must be positive, got \(chunks)")
        let d = Shape.normalize(dim, rank: ndim, op: "chunk")
        return split(Swift.max(1, (shape[d] + chunks - 1) / chunks), dim: d)
    }
}
