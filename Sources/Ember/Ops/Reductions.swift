/// Reductions over one dimension, several, or all (an empty list), with `keepDim`
/// keeping reduced dimensions as size 1. `sum`, `max` and `min` are primitives; `mean`,
/// `var`, `std` and `logsumexp` are built from them, so their gradients follow.
extension Tensor {
    /// Sum over `dims` (all if empty).
    public func sum(dims: [Int] = [], keepDim: Bool = false) -> Tensor {
        let ds = Shape.normalize(dims, rank: ndim, op: "sum")
        let input = self
        let source = dtype == .bool ? to(.int64) : self
        let kept = Kernels.reduce(source, dims: ds, .sum)
        return kept.dropping(ds, keepDim).recorded("sum", [input]) { g in
            [g.reshape(kept.shape).expand(input.shape)]
        }
    }

    /// Sum over `dim`.
    public func sum(dim: Int, keepDim: Bool = false) -> Tensor { sum(dims: [dim], keepDim: keepDim) }

    /// Mean over `dims` (all if empty).
    public func mean(dims: [Int] = [], keepDim: Bool = false) -> Tensor {
        precondition(dtype.isFloatingPoint, OpMessage.dtype(op: "mean", dtype, expected: "float32 or float64"))
        let ds = Shape.normalize(dims, rank: ndim, op: "mean")
        return sum(dims: ds, keepDim: keepDim) / Double(ds.reduce(1) { $0 * shape[$1] })
    }

    /// Mean over `dim`.
    public func mean(dim: Int, keepDim: Bool = false) -> Tensor { mean(dims: [dim], keepDim: keepDim) }

    /// Largest value over `dims` (all if empty); the gradient is shared among ties.
    public func max(dims: [Int] = [], keepDim: Bool = false) -> Tensor { extreme(.max, dims, keepDim) }

    /// Largest value over `dim`.
    public func max(dim: Int, keepDim: Bool = false) -> Tensor { extreme(.max, [dim], keepDim) }

    /// Smallest value over `dims` (all if empty); the gradient is shared among ties.
    public func min(dims: [Int] = [], keepDim: Bool = false) -> Tensor { extreme(.min, dims, keepDim) }

    /// Smallest value over `dim`.
    public func min(dim: Int, keepDim: Bool = false) -> Tensor { extreme(.min, [dim], keepDim) }

    /// Index of the largest value along `dim` (of the flattened tensor if nil), int64.
    public func argmax(dim: Int? = nil, keepDim: Bool = false) -> Tensor { argExtreme(.argmax, dim, keepDim) }

    /// Index of the smallest value along `dim` (of the flattened tensor if nil), int64.
    public func argmin(dim: Int? = nil, keepDim: Bool = false) -> Tensor { argExtreme(.argmin, dim, keepDim) }

    /// Variance over `dims` (all if empty), dividing by `N - correction` (1: unbiased,
    /// PyTorch's default).
    public func `var`(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) -> Tensor {
        let ds = Shape.normalize(dims, rank: ndim, op: "var")
        let n = ds.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(dims: ds, keepDim: true)
        return (centered * centered).sum(dims: ds, keepDim: keepDim) / Double(Swift.max(n - correction, 0))
    }

    /// Variance over `dim`.
    public func `var`(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        self.var(dims: [dim], correction: correction, keepDim: keepDim)
    }

    /// Standard deviation over `dims` (all if empty).
    public func std(dims: [Int] = [], correction: Int = 1, keepDim: Bool = false) -> Tensor {
        self.var(dims: dims, correction: correction, keepDim: keepDim).sqrt()
    }

    /// Standard deviation over `dim`.
    public func std(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        std(dims: [dim], correction: correction, keepDim: keepDim)
    }

    /// `log Σ e^x` over `dims` (all if empty), computed stably.
    public func logsumexp(dims: [Int] = [], keepDim: Bool = false) -> Tensor {
        let ds = Shape.normalize(dims, rank: ndim, op: "logsumexp")
        let m = withNoGrad { Kernels.reduce(self, dims: ds, .max) }
        let finite = m.detach().clamp(min: -Double.greatestFiniteMagnitude, max: Double.greatestFiniteMagnitude)
        return (self - finite).exp().sum(dims: ds, keepDim: keepDim).log() + finite.dropping(ds, keepDim)
    }

    /// `logsumexp` over `dim`.
    public func logsumexp(dim: Int, keepDim: Bool = false) -> Tensor { logsumexp(dims: [dim], keepDim: keepDim) }

    /// The gradient of a sum of `self` broadcast from `shape`: summed down to `shape`.
    /// The engine calls it to undo broadcasting once, for every op.
    public func sumTo(_ shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let lead = ndim - shape.count
        precondition(lead >= 0, "sumTo: cannot sum \(OpMessage.format(self.shape)) down to \(OpMessage.format(shape))")
        var dims = Array(0..<lead)
        for (i, n) in shape.enumerated() where n == 1 && self.shape[lead + i] != 1 { dims.append(lead + i) }
        return sum(dims: dims, keepDim: true).reshape(shape)
    }

    private func extreme(_ op: Reduction, _ dims: [Int], _ keepDim: Bool) -> Tensor {
        let ds = Shape.normalize(dims, rank: ndim, op: op.rawValue)
        let input = self
        let kept = Kernels.reduce(self, dims: ds, op)
        return kept.dropping(ds, keepDim).recorded(op.rawValue, [input]) { g in
            let hits = input.eq(kept).to(g.dtype)
            return [g.reshape(kept.shape) * hits / hits.sum(dims: ds, keepDim: true)]
        }
    }

    private func argExtreme(_ op: Reduction, _ dim: Int?, _ keepDim: Bool) -> Tensor {
        guard let dim else {
            let flat = Kernels.reduce(reshape([-1]), dims: [0], op).reshape([])
            return keepDim ? flat.reshape([Int](repeating: 1, count: ndim)) : flat
        }
        let d = Shape.normalize(dim, rank: ndim, op: op.rawValue)
        return Kernels.reduce(self, dims: [d], op).dropping([d], keepDim)
    }

    /// A kept-shape result with the reduced dims removed unless `keepDim` (a view).
    private func dropping(_ dims: [Int], _ keepDim: Bool) -> Tensor {
        if keepDim || dims.isEmpty { return self }
        let keep = (0..<ndim).filter { !dims.contains($0) }
        return view(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
    }
}
