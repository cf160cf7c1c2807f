/// Matrix products through BLAS (`cblas_sgemm`/`dgemm`).
extension Tensor {
    /// Matrix product with PyTorch's rules: 1-D operands are treated as a row (left) or
    /// column (right) vector and that dimension is dropped from the result; N-D
    /// operands are batches of matrices whose batch dimensions broadcast.
    /// `[..., m, k] x [..., k, n] -> [..., m, n]`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(ndim >= 1 && other.ndim >= 1, "matmul: both operands need at least one dimension, got \(OpMessage.format(shape)) x \(OpMessage.format(other.shape))")
        precondition(dtype == other.dtype && dtype.isFloatingPoint,
                     "matmul: \(OpMessage.format(shape)) x \(OpMessage.format(other.shape)): dtypes \(dtype) and \(other.dtype) must be the same floating-point type")
        let k2 = other.ndim == 1 ? other.shape[0] : other.shape[other.ndim - 2]
        precondition(shape[ndim - 1] == k2, OpMessage.matmul(shape, other.shape))
        if other.ndim == 1 { return matmul(other.unsqueeze(-1)).squeeze(-1) }
        if ndim == 1 { return unsqueeze(0).matmul(other).squeeze(-2) }
        if other.ndim == 2 && ndim > 2 {
            // [..., m, k] x [k, n]: one large GEMM over all rows instead of one per batch entry.
            let lead = Array(shape.dropLast())
            return reshape([-1, shape[ndim - 1]]).matmul(other).reshape(lead + [other.shape[1]])
        }
        guard let batch = Shape.broadcast(Array(shape.dropLast(2)), Array(other.shape.dropLast(2))) else {
            preconditionFailure("matmul: \(OpMessage.format(shape)) x \(OpMessage.format(other.shape)): batch dimensions cannot be broadcast together")
        }
        let a = self, b = other
        let m = shape[ndim - 2], k = shape[ndim - 1], n = other.shape[other.ndim - 1]
        let out = Kernels.matmul(a.detach().expand(batch + [m, k]), b.detach().expand(batch + [k, n]), batch: batch)
        return out.recorded("matmul", [a, b]) { g in
            [a.requiresGrad ? g.matmul(b.mT) : nil, b.requiresGrad ? a.mT.matmul(g) : nil]
        }
    }
}

extension Tensor {
    /// `x Wᵀ + b` (PyTorch's `F.linear`): `[..., in]` with weight `[out, in]` and bias
    /// `[out]` gives `[..., out]`.
    ///
    /// One GEMM with the bias written into the output first (BLAS adds onto it), and a
    /// backward that produces the weight's gradient in the weight's own `[out, in]`
    /// layout, so nothing is transposed or copied.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.ndim == 2 && ndim >= 1 && shape[ndim - 1] == weight.shape[1],
                     "linear: input \(OpMessage.format(shape)) and weight \(OpMessage.format(weight.shape)): inner dimensions \(shape.last ?? 0) and \(weight.shape.count == 2 ? weight.shape[1] : 0) differ")
        precondition(dtype == weight.dtype && dtype.isFloatingPoint && (bias?.dtype ?? dtype) == dtype,
                     "linear: dtypes \(dtype), \(weight.dtype) and \(bias?.dtype ?? dtype) must be one floating-point type")
        let outFeatures = weight.shape[0]
        if let bias {
            precondition(bias.shape == [outFeatures], "linear: bias \(OpMessage.format(bias.shape)) must be [\(outFeatures)]")
        }
        let lead = Array(shape.dropLast())
        let x = reshape([-1, shape[ndim - 1]]).contiguous()                                   // [M, in]
        let w = weight.contiguous(), b = bias?.contiguous()
        let out = Kernels.linear(x, w, b)                                                      // [M, out]
        var inputs = [x, w]
        if let b { inputs.append(b) }
        return out.recorded("linear", inputs) { g in
            [x.requiresGrad ? g.matmul(w) : nil,
             w.requiresGrad ? g.mT.matmul(x) : nil,
             b.map { $0.requiresGrad ? g.sum(dim: 0) : nil } ?? nil]
        }.reshape(lead + [outFeatures])
    }
}
