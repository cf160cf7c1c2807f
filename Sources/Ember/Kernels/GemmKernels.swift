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
        let m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1]
        // Empty products: nothing to compute (a sum over k = 0 terms is zero).
        if m == 0 || n == 0 || k == 0 || Shape.count(batch) == 0 { return Tensor.zeros(batch + [m, n], dtype: a.dtype) }
        let a = MatrixLayout(a) == nil ? a.contiguous() : a
        let b = MatrixLayout(b) == nil ? b.contiguous() : b
        let out = Tensor(uninitializedShape: batch + [m, n], dtype: a.dtype)
        let la = MatrixLayout(a)!, lb = MatrixLayout(b)!
        let count = Shape.count(batch)
        // Element offset of each batch entry's matrix in a and b.
        let batchA = batchOffsets(a, batch), batchB = batchOffsets(b, batch)
        func run<T: BLASElement>(_: T.Type) {
            let pa = a.pointer(T.self), pb = b.pointer(T.self), po = out.pointer(T.self)
            func product(_ i: Int, split: Bool) {
                gemm(la.transposed, lb.transposed, m, n, k, pa + batchA[i], la.leading, pb + batchB[i], lb.leading,
                     po + i * m * n, n, parallel: split)
            }
            if count >= Parallel.threads && count > 1 {
                Parallel.forChunks(count, chunks: Parallel.chunkCount(count * m * n * k, grain: gemmGrain)) { _, range in
                    for i in range { product(i, split: false) }
                }
            } else {
                for i in 0..<count { product(i, split: true) }
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        default: preconditionFailure(OpMessage.dtype(op: "matmul", a.dtype, expected: "float32 or float64"))
        }
        return out
    }

    /// Multiply-adds below which a product stays on one thread (about 20 µs of work).
    static let gemmGrain = 1 << 21

    /// `c = op(a) · op(b)` (row-major), split across threads by rows of `c` (or by
    /// columns, when it is wider than tall) once it is large enough to pay for it.
    static func gemm<T: BLASElement>(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                                     _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                     _ c: UnsafeMutablePointer<T>, _ ldc: Int, beta: T = 0, parallel: Bool = true) {
        let chunks = parallel ? Parallel.chunkCount(m * n * k, grain: gemmGrain) : 1
        if chunks <= 1 {
            T.gemm(transA, transB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
            return
        }
        if m >= n {
            Parallel.forChunks(m, chunks: chunks) { _, rows in
                // Row r of op(a) starts at a + r·lda, or at column r when a is transposed.
                let aStart = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
                T.gemm(transA, transB, rows.count, n, k, 1, aStart, lda, b, ldb, beta, c + rows.lowerBound * ldc, ldc)
            }
        } else {
            Parallel.forChunks(n, chunks: chunks) { _, columns in
                let bStart = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                T.gemm(transA, transB, m, columns.count, k, 1, a, lda, bStart, ldb, beta, c + columns.lowerBound, ldc)
            }
        }
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

/// Element types BLAS multiplies: row-major `c = alpha · op(a) · op(b) + beta · c`. Every
/// call first reads `OpenBLAS.configured`, so OpenBLAS's kernel set is chosen before
/// the first product.
protocol BLASElement: FloatingElement {
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Self,
                     _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
}

extension Float: BLASElement {
    @inline(__always)
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        _ = OpenBLAS.configured
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Double: BLASElement {
    @inline(__always)
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Double,
                     _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                     _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        _ = OpenBLAS.configured
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Kernels {
    /// `x Wᵀ + b` for contiguous `x` `[M, in]`, `w` `[out, in]` and `b` `[out]`.
    static func linear(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
        let m = x.shape[0], k = x.shape[1], n = w.shape[0]
        let out = Tensor(uninitializedShape: [m, n], dtype: x.dtype)
        func run<T: BLASElement>(_: T.Type) {
            let po = out.pointer(T.self)
            if let b {
                let pb = b.pointer(T.self)
                for r in 0..<m { (po + r * n).update(from: pb, count: n) }
            }
            gemm(false, true, m, n, k, x.pointer(T.self), k, w.pointer(T.self), k, po, n, beta: b == nil ? 0 : 1)
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }
}
