extension Kernels {
    /// Batch normalisation of a contiguous `[N, C, L]` input per channel: `mean` and
    /// `invstd` (`[C]`) given, or, when they are nil, computed from the batch (biased
    /// variance). Returns the output and the statistics used.
    static func batchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, mean: Tensor?, invstd: Tensor?,
                          eps: Double) -> (output: Tensor, mean: Tensor, invstd: Tensor) {
        let n = x.shape[0], c = x.shape[1], l = x.numel / Swift.max(n * c, 1)
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let means = mean ?? Tensor(uninitializedShape: [c], dtype: x.dtype)
        let invstds = invstd ?? Tensor(uninitializedShape: [c], dtype: x.dtype)
        let computing = mean == nil
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), po = out.pointer(T.self), pm = means.pointer(T.self), ps = invstds.pointer(T.self)
            let pw = weight?.pointer(T.self), pb = bias?.pointer(T.self)
            let count = T(n * l)
            Parallel.forRange(c, grain: Swift.max(1, (1 << 15) / Swift.max(n * l, 1))) { channels in
                for ch in channels {
                    if computing {
                        var total: T = 0
                        for i in 0..<n { let row = px + (i * c + ch) * l; for j in 0..<l { total += row[j] } }
                        let mu = total / count
                        var squares: T = 0
                        for i in 0..<n { let row = px + (i * c + ch) * l; for j in 0..<l { let d = row[j] - mu; squares += d * d } }
                        pm[ch] = mu
                        ps[ch] = 1 / (squares / count + T(eps)).squareRoot()
                    }
                    let scale = ps[ch] * (pw?[ch] ?? 1), shift = (pb?[ch] ?? 0) - pm[ch] * scale
                    for i in 0..<n {
                        let src = px + (i * c + ch) * l, dst = po + (i * c + ch) * l
                        for j in 0..<l { dst[j] = src[j] * scale + shift }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (out, means, invstds)
    }

    /// Gradients of `batchNorm` with respect to the input, weight and bias, given the
    /// output gradient `gy` and the statistics the forward pass used. With `batchStatistics`
    /// the mean and variance depend on the input, which adds their terms:
    /// `dx = w·invstd/M · (M·g − Σg − x̂·Σ(g·x̂))`; otherwise `dx = w·invstd·g`.
    static func batchNormBackward(_ x: Tensor, _ gy: Tensor, weight: Tensor?, mean: Tensor, invstd: Tensor,
                                  batchStatistics: Bool) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let n = x.shape[0], c = x.shape[1], l = x.numel / Swift.max(n * c, 1)
        let gx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let gw = Tensor(uninitializedShape: [c], dtype: x.dtype), gb = Tensor(uninitializedShape: [c], dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), pg = gy.pointer(T.self), pgx = gx.pointer(T.self)
            let pm = mean.pointer(T.self), ps = invstd.pointer(T.self), pw = weight?.pointer(T.self)
            let pgw = gw.pointer(T.self), pgb = gb.pointer(T.self)
            let count = T(n * l)
            Parallel.forRange(c, grain: Swift.max(1, (1 << 15) / Swift.max(n * l, 1))) { channels in
                for ch in channels {
                    let mu = pm[ch], s = ps[ch]
                    var sumG: T = 0, sumGX: T = 0
                    for i in 0..<n {
                        let xr = px + (i * c + ch) * l, gr = pg + (i * c + ch) * l
                        for j in 0..<l {
                            sumG += gr[j]
                            sumGX += gr[j] * (xr[j] - mu)
                        }
                    }
                    sumGX *= s   // Σ g·x̂
                    pgb[ch] = sumG
                    pgw[ch] = sumGX
                    let k = s * (pw?[ch] ?? 1)
                    let meanG = batchStatistics ? sumG / count : 0, meanGX = batchStatistics ? sumGX / count : 0
                    for i in 0..<n {
                        let xr = px + (i * c + ch) * l, gr = pg + (i * c + ch) * l, dr = pgx + (i * c + ch) * l
                        for j in 0..<l { dr[j] = k * (gr[j] - meanG - (xr[j] - mu) * s * meanGX) }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (gx, gw, gb)
    }
}
