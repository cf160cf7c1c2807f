extension Kernels {
    /// Softmax (or log-softmax) of `x` along `dim`; no autograd. Works on rows: the
    /// reduced dim is moved last and made contiguous first, then moved back.
    static func softmax(_ x: Tensor, dim: Int, log: Bool) -> Tensor {
        precondition(x.dtype.isFloatingPoint,
                     OpMessage.dtype(op: log ? "logSoftmax" : "softmax", x.dtype, expected: "float32 or float64"))
        let d = Shape.normalize(dim, rank: x.ndim, op: log ? "logSoftmax" : "softmax")
        let last = Swift.max(x.ndim - 1, 0)
        let rows = d == last ? x.contiguous() : x.transpose(d, last).contiguous()
        let out = Tensor(uninitializedShape: rows.shape, dtype: x.dtype)
        let n = rows.shape.isEmpty ? 1 : rows.shape[last]
        func run<T: FloatingElement>(_: T.Type) {
            let src = rows.pointer(T.self), dst = out.pointer(T.self)
            Parallel.forRange(rows.numel / Swift.max(n, 1), grain: Swift.max(1, 8192 / Swift.max(n, 1))) { range in
                for r in range {
                    let s = src + r &* n, o = dst + r &* n
                    var m = -T.infinity
                    for j in 0..<n where s[j] > m { m = s[j] }
                    if m == -T.infinity { m = 0 }
                    for j in 0..<n { o[j] = s[j] - m }
                    T.exp(o, o, count: n)
                    var total: T = 0
                    for j in 0..<n { total += o[j] }
                    if log {
                        let shift = m + T.log(total)
                        for j in 0..<n { o[j] = s[j] - shift }
                    } else {
                        let inv = 1 / total
                        for j in 0..<n { o[j] *= inv }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return d == last ? out : out.transpose(d, last)
    }
}
