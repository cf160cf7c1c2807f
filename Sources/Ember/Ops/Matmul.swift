/// Matrix products through BLAS (`cblas_sgemm`/`dgemm`).
extension Tensor {
    /// Matrix product with PyTorch's rules: 1-D operands are treated as a row (left) or
    /// column (right) vector and that dimension is dropped from the result; N-D
    /// operands are batches of matrices whose batch dimensions broadcast.
    /// `[..., m, k] x [..., k, n] -> [..., m, n]`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(ndim >= 1 && other.ndim >= 1, "matmul: both operands need at least one dimension, got \(ShapeMessage.format(shape)) x \(ShapeMessage.format(other.shape))")
        precondition(dtype == other.dtype && dtype.isFloatingPoint,
                     "matmul: \(ShapeMessage.format(shape)) x \(ShapeMessage.format(other.shape)): dtypes \(dtype) and \(other.dtype) must be the same floating-point type")
        let k2 = other.ndim == 1 ? other.shape[0] : other.shape[other.ndim - 2]
        precondition(shape[ndim - 1] == k2, ShapeMessage.matmul(shape, other.shape))
        if other.ndim == 1 { return matmul(other.unsqueeze(-1)).squeeze(-1) }
        if ndim == 1 { return unsqueeze(0).matmul(other).squeeze(-2) }
        if other.ndim == 2 && ndim > 2 {
            // [..., m, k] x [k, n]: one large GEMM over all rows instead of one per batch entry.
            let lead = Array(shape.dropLast())
            return reshape([-1, shape[ndim - 1]]).matmul(other).reshape(lead + [other.shape[1]])
        }
        guard let batch = Shape.broadcast(Array(shape.dropLast(2)), Array(other.shape.dropLast(2))) else {
            preconditionFailure("matmul: \(ShapeMessage.format(shape)) x \(ShapeMessage.format(other.shape)): batch dimensions cannot be broadcast together")
        }
        let a = self, b = other
        let m = shape[ndim - 2], k = shape[ndim - 1], n = other.shape[other.ndim - 1]
        let out = Kernels.matmul(a.detach().expand(batch + [m, k]), b.detach().expand(batch + [k, n]), batch: batch)
        return out.recorded("matmul", [a, b]) { g in
            [a.requiresGrad ? g.matmul(b.mT) : nil, b.requiresGrad ? a.mT.matmul(g) : nil]
        }
    }
}
