import CBLAS

extension Kernels {
    /// How a matrix operand is laid out for BLAS: row-major, possibly transposed (a
    /// transposed view is passed as a flag, not copied), with its leading dimension.
    struct MatrixLayout {
        let transposed: Bool
        let leading: Int

        /// The layout of the last two dims of `t`, or nil if BLAS cannot read it directly.
        init?(_ t: Tensor) {
            let rows = t.shape[t.ndim - 2], cols = t.shape[t.ndim - 1]
            let rs = t.strides[t.ndim - 2], cs = t.strides[t.ndim - 1]
            // A stride along a dimension of size 1 is never followed, so it does not matter.
            let rowMajorLeading = rows == 1 ? Swift.max(cols, 1) : rs
            let columnMajorLeading = cols == 1 ? Swift.max(rows, 1) : cs
            if (cols == 1 || cs == 1) && rowMajorLeading >= Swift.max(cols, 1) {
                transposed = false
                leading = rowMajorLeading
            } else if (rows == 1 || rs == 1) && columnMajorLeading >= Swift.max(rows, 1) {
                transposed = true
                leading = columnMajorLeading
            } else {
                return nil
            }
        }
    }

    /// `c = a @ b` for matrices or batches of them whose batch dims are equal; `a` is
    /// `[..., m, k]`, `b` is `[..., k, n]`, result `[..., m, n]`. No autograd.
    static func matmul(_ a: Tensor, _ b: Tensor, batch: [Int]) -> Tensor {
        let a = MatrixLayout(a) == nil ? a.contiguous() : a
        let b = MatrixLayout(b) == nil ? b.contiguous() : b
        let m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1]
        let out = Tensor(uninitializedShape: batch + [m, n], dtype: a.dtype)
        let la = MatrixLayout(a)!, lb = MatrixLayout(b)!
        let count = Shape.count(batch)
        // Element offset of each batch entry's matrix in a and b.
        let batchA = batchOffsets(a, batch), batchB = batchOffsets(b, batch)
        let ta = la.transposed ? CblasTrans : CblasNoTrans, tb = lb.transposed ? CblasTrans : CblasNoTrans
        if m == 0 || n == 0 { return out }
        if k == 0 {
            fill(out, 0)
            return out
        }
        for i in 0..<count {
            switch a.dtype {
            case .float32:
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                            a.pointer(Float.self) + batchA[i], Int32(la.leading),
                            b.pointer(Float.self) + batchB[i], Int32(lb.leading),
                            0, out.pointer(Float.self) + i * m * n, Int32(n))
            case .float64:
                cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                            a.pointer(Double.self) + batchA[i], Int32(la.leading),
                            b.pointer(Double.self) + batchB[i], Int32(lb.leading),
                            0, out.pointer(Double.self) + i * m * n, Int32(n))
            default:
                preconditionFailure(ShapeMessage.dtype(op: "matmul", a.dtype, expected: "float32 or float64"))
            }
        }
        return out
    }

    /// Offsets of each matrix of a batch, in row-major order of the batch dims.
    private static func batchOffsets(_ t: Tensor, _ batch: [Int]) -> [Int] {
        let strides = Array(t.strides.prefix(batch.count))
        var offsets = [0]
        for (size, stride) in zip(batch, strides).reversed() {
            offsets = (0..<size).flatMap { i in offsets.map { $0 + i * stride } }
        }
        return offsets
    }
}
