extension Kernels {
    /// Layer normalisation of each row of `width` elements of contiguous `x`, scaled by
    /// `weight` and shifted by `bias` (each `width` elements, contiguous, or nil). Returns
    /// the output and each row's mean and 1/√(var + eps) (`[rows]`), for the backward pass.
    static func layerNorm(_ x: Tensor, width: Int, weight: Tensor?, bias: Tensor?, eps: Double)
        -> (output: Tensor, mean: Tensor, invstd: Tensor) {
        let rows = x.numel / Swift.max(width, 1)
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let mean = Tensor(uninitializedShape: [rows], dtype: x.dtype), invstd = Tensor(uninitializedShape: [rows], dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), po = out.pointer(T.self), pm = mean.pointer(T.self), pi = invstd.pointer(T.self)
            let pw = weight?.pointer(T.self), pb = bias?.pointer(T.self), n = T(width)
            Parallel.forRange(rows, grain: Swift.max(1, 16_384 / Swift.max(width, 1))) { range in
                for r in range {
                    let row = px + r * width, y = po + r * width
                    var sum: T = 0
                    for j in 0..<width { sum += row[j] }
                    let mu = sum / n
                    var squares: T = 0
                    for j in 0..<width {
                        let d = row[j] - mu
                        squares += d * d
                    }
                    let inv = 1 / (squares / n + T(eps)).squareRoot()
                    pm[r] = mu
                    pi[r] = inv
                    switch (pw, pb) {
                    case let (w?, b?): for j in 0..<width { y[j] = (row[j] - mu) * inv * w[j] + b[j] }
                    case let (w?, nil): for j in 0..<width { y[j] = (row[j] - mu) * inv * w[j] }
                    case let (nil, b?): for j in 0..<width { y[j] = (row[j] - mu) * inv + b[j] }
                    case (nil, nil): for j in 0..<width { y[j] = (row[j] - mu) * inv }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (out, mean, invstd)
    }

    /// Gradients of `layerNorm` given the output gradient `gy` (contiguous, x's shape):
    /// with x̂ = (x − mean)·invstd and ĝ = gy·weight,
    /// `dx = invstd (ĝ − mean(ĝ) − x̂ mean(ĝ x̂))` per row, `dweight = Σ gy x̂` and
    /// `dbias = Σ gy` over rows (summed per thread, then together).
    static func layerNormBackward(_ x: Tensor, _ gy: Tensor, width: Int, weight: Tensor?, mean: Tensor, invstd: Tensor,
                                  needWeight: Bool, needBias: Bool) -> (input: Tensor, weight: Tensor?, bias: Tensor?) {
        let rows = x.numel / Swift.max(width, 1)
        let gx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let chunks = Parallel.chunkCount(rows, grain: Swift.max(1, 16_384 / Swift.max(width, 1)))
        // Per chunk: the weight gradient's partial sums, then the bias gradient's.
        let partials = Tensor.zeros([chunks, 2, width], dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), pg = gy.pointer(T.self), po = gx.pointer(T.self)
            let pm = mean.pointer(T.self), pi = invstd.pointer(T.self), pw = weight?.pointer(T.self), n = T(width)
            Parallel.forChunks(rows, chunks: chunks) { chunk, range in
                let dw = partials.pointer(T.self) + chunk * 2 * width, db = dw + width
                for r in range {
                    let row = px + r * width, g = pg + r * width, out = po + r * width
                    let mu = pm[r], inv = pi[r]
                    var sumG: T = 0, sumGX: T = 0
                    for j in 0..<width {
                        let xhat = (row[j] - mu) * inv, gj = pw.map { g[j] * $0[j] } ?? g[j]
                        sumG += gj
                        sumGX += gj * xhat
                        dw[j] += g[j] * xhat
                        db[j] += g[j]
                    }
                    let meanG = sumG / n, meanGX = sumGX / n
                    for j in 0..<width {
                        let xhat = (row[j] - mu) * inv, gj = pw.map { g[j] * $0[j] } ?? g[j]
                        out[j] = inv * (gj - meanG - xhat * meanGX)
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        let sums = needWeight || needBias ? withNoGrad { partials.sum(dim: 0) } : nil
        return (gx, needWeight ? sums?[0] : nil, needBias ? sums?[1] : nil)
    }
}
