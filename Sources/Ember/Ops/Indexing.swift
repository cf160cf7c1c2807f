/// Indexing ops: picking, gathering and scattering along a dimension, and masking.
extension Tensor {
    /// Entries along `dim` at the positions in the 1-D int64 `index` (PyTorch's
    /// `index_select`); the result has `index.numel` entries along `dim`.
    public func indexSelect(dim: Int, index: Tensor) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "indexSelect")
        precondition(index.ndim <= 1, "indexSelect: index must be 1-D, got shape \(OpMessage.format(index.shape))")
        let idx = Kernels.checkedIndex(index, bound: shape[d], op: "indexSelect")
        let inputShape = shape
        return Kernels.indexSelect(self, dim: d, index: idx).recorded("indexSelect", [self]) { g in
            [Tensor.zeros(inputShape, dtype: g.dtype).indexAdd(dim: d, index: idx, source: g)]
        }
    }

    /// Each slice along `dim` repeated in place `repeats[i]` times (PyTorch's
    /// `repeat_interleave`): `[2, 3]` along dim 0 with repeats `[2, 0]` is the first row
    /// twice. `repeats` is 1-D int64 of `shape[dim]` non-negative counts; the result's
    /// `dim` holds their sum. The gradient sums the copies (FastSpeech's length regulator
    /// is this op over phonemes).
    public func repeatInterleave(_ repeats: Tensor, dim: Int) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "repeatInterleave")
        precondition(repeats.ndim == 1 && repeats.numel == shape[d] && repeats.dtype == .int64,
                     "repeatInterleave: repeats \(OpMessage.format(repeats.shape)) (\(repeats.dtype)) must be 1-D int64 of length \(shape[d]), the size of dim \(d) of \(OpMessage.format(shape))")
        let counts = repeats.ints
        precondition(counts.allSatisfy { $0 >= 0 }, "repeatInterleave: repeats must be non-negative, got \(counts)")
        let index = counts.enumerated().flatMap { i, count in repeatElement(Int64(i), count: count) }
        return indexSelect(dim: d, index: Tensor(index, shape: [index.count]))
    }

    /// `self` with `source`'s entries added at positions `index` along `dim` (PyTorch's
    /// `index_add`); repeated indices accumulate.
    public func indexAdd(dim: Int, index: Tensor, source: Tensor) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "indexAdd")
        precondition(dtype.isFloatingPoint && source.dtype == dtype,
                     "indexAdd: dtypes \(dtype) and \(source.dtype) must be the same floating-point type")
        var expected = shape
        expected[d] = index.numel
        precondition(source.shape == expected, OpMessage.mismatch(op: "indexAdd", expected, source.shape))
        let idx = Kernels.checkedIndex(index, bound: shape[d], op: "indexAdd")
        return Kernels.indexAdd(self, dim: d, index: idx, source: source).recorded("indexAdd", [self, source]) { g in
            [g, source.requiresGrad ? g.indexSelect(dim: d, index: idx) : nil]
        }
    }

    /// `out[i][j] = self[i][index[i][j]]` (for `dim` 1; likewise for others), shaped as
    /// `index`, which has the same rank and is no larger in the other dimensions.
    public func gather(dim: Int, index: Tensor) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "gather")
        checkScatterShape(index, op: "gather", dim: d)
        let idx = Kernels.checkedIndex(index, bound: shape[d], op: "gather")
        let inputShape = shape
        return Kernels.gather(self, dim: d, index: idx).recorded("gather", [self]) { g in
            [Tensor.zeros(inputShape, dtype: g.dtype).scatterAdd(dim: d, index: idx, source: g)]
        }
    }

    /// `self` with `source[i][j]` added at `[i][index[i][j]]` (for `dim` 1), the adjoint
    /// of `gather`; repeated indices accumulate.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) -> Tensor {
        let d = Shape.normalize(dim, rank: ndim, op: "scatterAdd")
        checkScatterShape(index, op: "scatterAdd", dim: d)
        precondition(source.dtype == dtype, "scatterAdd: source dtype \(source.dtype) differs from \(dtype)")
        precondition(source.ndim == index.ndim && zip(index.shape, source.shape).allSatisfy { $0 <= $1 },
                     "scatterAdd: index \(OpMessage.format(index.shape)) is larger than source \(OpMessage.format(source.shape))")
        let idx = Kernels.checkedIndex(index, bound: shape[d], op: "scatterAdd")
        return Kernels.scatterAdd(self, dim: d, index: idx, source: source).recorded("scatterAdd", [self, source]) { g in
            [g, source.requiresGrad ? g.gather(dim: d, index: idx) : nil]
        }
    }

    /// Elements of `self` where `mask` is true replaced by `value` (mask broadcasts).
    public func maskedFill(_ mask: Tensor, _ value: Double) -> Tensor {
        Tensor.where(mask, scalar(value), self)
    }

    /// Lower triangle of the last two dims: entries with `column - row <= diagonal`.
    public func tril(diagonal: Int = 0) -> Tensor { triangle(diagonal, lower: true) }

    /// Upper triangle of the last two dims: entries with `column - row >= diagonal`.
    public func triu(diagonal: Int = 0) -> Tensor { triangle(diagonal, lower: false) }

    /// `condition ? a : b` elementwise, all three broadcast together; the dtype is
    /// `a`'s and `b`'s promoted. Gradients flow to the branch each element took.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let dtype = a.dtype.promoted(with: b.dtype)
        guard let ab = Shape.broadcast(a.shape, b.shape), let shape = Shape.broadcast(condition.shape, ab) else {
            preconditionFailure("where: condition \(OpMessage.format(condition.shape)), \(OpMessage.format(a.shape)) and \(OpMessage.format(b.shape)) cannot be broadcast together")
        }
        let cond = condition.to(.bool), x = a.to(dtype), y = b.to(dtype)
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        switch dtype.itemSize {
        case 8: Elementwise.select(cond, x, y, into: out, UInt64.self)
        case 4: Elementwise.select(cond, x, y, into: out, UInt32.self)
        default: Elementwise.select(cond, x, y, into: out, UInt8.self)
        }
        return out.recorded("where", [x, y]) { g in
            let zero = Tensor(scalar: 0, dtype: g.dtype)
            return [x.requiresGrad ? Tensor.where(cond, g, zero) : nil,
                    y.requiresGrad ? Tensor.where(cond, zero, g) : nil]
        }
    }

    private func checkScatterShape(_ index: Tensor, op: String, dim: Int) {
        precondition(index.ndim == ndim && index.shape.indices.allSatisfy { $0 == dim || index.shape[$0] <= shape[$0] },
                     "\(op): index of shape \(OpMessage.format(index.shape)) does not fit \(OpMessage.format(shape)) along dimension \(dim)")
    }

    private func triangle(_ diagonal: Int, lower: Bool) -> Tensor {
        precondition(ndim >= 2, "\(lower ? "tril" : "triu"): needs at least 2 dimensions, got \(OpMessage.format(shape))")
        let rows = shape[ndim - 2], cols = shape[ndim - 1]
        let mask = Tensor.generate([rows, cols], dtype: .bool) { i in
            let offset = i % cols - i / cols
            return (lower ? offset <= diagonal : offset >= diagonal) ? 1 : 0
        }
        return Tensor.where(mask, self, Tensor(scalar: 0, dtype: dtype))
    }
}
