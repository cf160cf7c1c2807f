/// A batch of matrices `[lead..., R, C]` whose rows are contiguous: where each leading
/// index's matrix starts (in elements, from the tensor's offset) and the row stride.
/// Lets kernels hand views such as a transposed `[B, T, H, D] -> [B, H, T, D]` straight
/// to BLAS without copying them.
struct MatrixBatch {
    /// Start of matrix `i`, for `i` in the flattened leading dims.
    let starts: [Int]
    /// Elements between consecutive rows (0 for a row broadcast over the matrix).
    let rowStride: Int

    /// The matrices of `t` (rank ≥ 2, last stride 1 or last dim of size 1).
    init(_ t: Tensor) {
        precondition(t.ndim >= 2 && (t.strides[t.ndim - 1] == 1 || t.shape[t.ndim - 1] == 1),
                     "MatrixBatch: \(OpMessage.format(t.shape)) needs contiguous rows")
        let lead = Array(t.shape.dropLast(2)), leadStrides = Array(t.strides.dropLast(2))
        var starts = [0]
        for (size, stride) in zip(lead, leadStrides) {
            starts = starts.flatMap { start in (0..<size).map { start + $0 * stride } }
        }
        self.starts = starts
        rowStride = t.strides[t.ndim - 2]
    }
}

extension Kernels {
    /// What `attention` computes: `batch` matrices of `queries` × `keys` scores over
    /// vectors of `depth` (values of `valueDepth`).
    struct Attention {
        let batch: Int, queries: Int, keys: Int, depth: Int, valueDepth: Int
        /// The factor on `q kᵀ`.
        let scale: Double
        /// Whether query `i` sees only keys `j ≤ i`.
        let causal: Bool

        /// Rows of queries per block: with a causal mask, block `[r, r + blockRows)`
        /// reads only the first `r + blockRows` keys, so the products skip most of the
        /// masked upper triangle.
        static let blockRows = 32

        /// The keys rows `rows` read: all, or with a causal mask those up to the last row.
        func keyCount(forRowsEndingAt end: Int) -> Int { causal ? Swift.min(keys, end) : keys }

        /// Calls `body(rows, keyCount)` for each block of query rows.
        func forEachBlock(_ body: (Range<Int>, Int) -> Void) {
            var start = 0
            while start < queries {
                let end = Swift.min(queries, start + Self.blockRows)
                body(start..<end, keyCount(forRowsEndingAt: end))
                start = end
            }
        }
    }

    /// The output of the fused attention, with what its backward pass reads.
    struct AttentionResult {
        /// `[lead..., L, Ev]`.
        let output: Tensor
        /// Softmax probabilities `[batch, L, S]` (zero where masked).
        let probabilities: Tensor
        /// The probabilities after dropout, when dropout is on.
        let dropped: Tensor?
    }

    /// `softmax(scale · q kᵀ + mask) v` for each matrix of the batch, without forming a
    /// causal mask: q `[lead..., L, E]`, k `[lead..., S, E]`, v `[lead..., S, Ev]` with
    /// contiguous rows, `mask` additive and broadcast to `[lead..., L, S]` (or nil),
    /// `keep` the dropout factors `[batch, L, S]` (0 or 1/(1 − p); nil without dropout).
    /// A row with every key masked gives zero probabilities. Matrices run in parallel;
    /// 4-D outputs are laid out `[B, L, H, Ev]` and returned as a `[B, H, L, Ev]` view, so
    /// merging the heads afterwards needs no copy.
    static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, keep: Tensor?,
                          _ plan: Attention) -> AttentionResult {
        let lead = Array(q.shape.dropLast(2))
        let output = headsInterleaved(lead + [plan.queries, plan.valueDepth], dtype: q.dtype)
        let probabilities = Tensor(uninitializedShape: [plan.batch, plan.queries, plan.keys], dtype: q.dtype)
        let dropped = keep.map { Tensor(uninitializedShape: $0.shape, dtype: $0.dtype) }
        let qs = MatrixBatch(q), ks = MatrixBatch(k), vs = MatrixBatch(v), os = MatrixBatch(output)
        let masks = mask.map(MatrixBatch.init)
        let l = plan.queries, s = plan.keys
        func run<T: BLASElement>(_: T.Type) {
            let pq = q.pointer(T.self), pk = k.pointer(T.self), pv = v.pointer(T.self), po = output.pointer(T.self)
            let pm = mask?.pointer(T.self), keepFactors = keep?.pointer(T.self), pd = dropped?.pointer(T.self)
            Parallel.forRange(plan.batch, grain: 1) { matrices in
                for i in matrices {
                    let p = probabilities.pointer(T.self) + i * l * s
                    let weights = pd.map { $0 + i * l * s } ?? p
                    plan.forEachBlock { rows, n in
                        let first = rows.lowerBound
                        T.gemm(false, true, rows.count, n, plan.depth, T(plan.scale), pq + qs.starts[i] + first * qs.rowStride,
                               qs.rowStride, pk + ks.starts[i], ks.rowStride, 0, p + first * s, s)
                        for r in rows {
                            let row = p + r * s
                            let visible = plan.causal ? Swift.min(r + 1, n) : n
                            let bias = pm.map { UnsafePointer($0 + masks!.starts[i] + r * masks!.rowStride) }
                            softmaxRow(row, visible: visible, width: n, bias: bias)
                            if let keepFactors, let pd {
                                let factors = keepFactors + i * l * s + r * s, out = pd + i * l * s + r * s
                                for j in 0..<n { out[j] = row[j] * factors[j] }
                            }
                        }
                        T.gemm(false, false, rows.count, plan.valueDepth, n, 1, weights + first * s, s,
                               pv + vs.starts[i], vs.rowStride, 0, po + os.starts[i] + first * os.rowStride, os.rowStride)
                    }
                }
            }
        }
        if q.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return AttentionResult(output: output, probabilities: probabilities, dropped: dropped)
    }

    /// Writes the gradients of `attention` with respect to q, k and v into `gradients`
    /// (shaped as q, k and v, with contiguous rows; every element is written), given the
    /// output gradient `gy` (`[lead..., L, Ev]`, contiguous rows) and the forward pass's
    /// `result`.
    static func attentionBackward(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ gy: Tensor, keep: Tensor?,
                                  _ result: AttentionResult, _ plan: Attention, into gradients: (q: Tensor, k: Tensor, v: Tensor)) {
        let (gq, gk, gv) = gradients
        let qs = MatrixBatch(q), ks = MatrixBatch(k), vs = MatrixBatch(v), gs = MatrixBatch(gy)
        let gqs = MatrixBatch(gq), gks = MatrixBatch(gk), gvs = MatrixBatch(gv)
        let l = plan.queries, s = plan.keys
        func run<T: BLASElement>(_: T.Type) {
            let pq = q.pointer(T.self), pk = k.pointer(T.self), pv = v.pointer(T.self), pg = gy.pointer(T.self)
            let keepFactors = keep?.pointer(T.self), scale = T(plan.scale)
            Parallel.forChunks(plan.batch, chunks: Parallel.chunkCount(plan.batch, grain: 1)) { _, matrices in
                let scratch = Storage(byteCount: l * s * MemoryLayout<T>.stride)
                defer { withExtendedLifetime(scratch) {} }
                let dp = scratch.data.assumingMemoryBound(to: T.self)
                for i in matrices {
                    let p = result.probabilities.pointer(T.self) + i * l * s
                    let weights = result.dropped.map { $0.pointer(T.self) + i * l * s } ?? p
                    let g = pg + gs.starts[i], dq = gq.pointer(T.self) + gqs.starts[i]
                    let dk = gk.pointer(T.self) + gks.starts[i], dv = gv.pointer(T.self) + gvs.starts[i]
                    // Blocks of rows add into dk and dv over a growing number of keys.
                    for j in 0..<s {
                        for e in 0..<plan.depth { dk[j * gks.rowStride + e] = 0 }
                        for e in 0..<plan.valueDepth { dv[j * gvs.rowStride + e] = 0 }
                    }
                    plan.forEachBlock { rows, n in
                        let first = rows.lowerBound, count = rows.count
                        let gRows = g + first * gs.rowStride, block = dp + first * s
                        // dv += Pdᵀ dy;  dPd = dy vᵀ
                        T.gemm(true, false, n, plan.valueDepth, count, 1, weights + first * s, s, gRows, gs.rowStride,
                               1, dv, gvs.rowStride)
                        T.gemm(false, true, count, n, plan.valueDepth, 1, gRows, gs.rowStride, pv + vs.starts[i], vs.rowStride,
                               0, block, s)
                        // dS = P ⊙ (dP − Σⱼ dPⱼ Pⱼ), with dP = dPd ⊙ keep.
                        for r in rows {
                            let d = dp + r * s, pr = p + r * s
                            if let keepFactors {
                                let factors = keepFactors + i * l * s + r * s
                                for j in 0..<n { d[j] *= factors[j] }
                            }
                            var dot: T = 0
                            for j in 0..<n { dot += d[j] * pr[j] }
                            for j in 0..<n { d[j] = pr[j] * (d[j] - dot) }
                        }
                        // dq = scale · dS k;  dk += scale · dSᵀ q
                        T.gemm(false, false, count, plan.depth, n, scale, block, s, pk + ks.starts[i], ks.rowStride,
                               0, dq + first * gqs.rowStride, gqs.rowStride)
                        T.gemm(true, false, n, plan.depth, count, scale, block, s, pq + qs.starts[i] + first * qs.rowStride,
                               qs.rowStride, 1, dk, gks.rowStride)
                    }
                }
            }
        }
        if q.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    }

    /// Softmax of `row[0..<visible]` plus `bias` in place; `row[visible..<width]` becomes
    /// 0, as does the whole row when nothing in it is finite.
    @inline(__always)
    private static func softmaxRow<T: FloatingElement>(_ row: UnsafeMutablePointer<T>, visible: Int, width: Int,
                                                       bias: UnsafePointer<T>?) {
        if let bias { for j in 0..<visible { row[j] += bias[j] } }
        var m = -T.infinity
        for j in 0..<visible where row[j] > m { m = row[j] }
        if m == -T.infinity {
            for j in 0..<width { row[j] = 0 }
            return
        }
        for j in 0..<visible { row[j] -= m }
        T.exp(row, row, count: visible)
        var total: T = 0
        for j in 0..<visible { total += row[j] }
        let inv = 1 / total
        for j in 0..<visible { row[j] *= inv }
        for j in visible..<width { row[j] = 0 }
    }

    /// An uninitialised tensor of `shape`; a 4-D `[B, H, L, D]` is stored as `[B, L, H, D]`
    /// and returned as the transposed view, the layout attention heads are merged from.
    static func headsInterleaved(_ shape: [Int], dtype: DType) -> Tensor {
        guard shape.count == 4 else { return Tensor(uninitializedShape: shape, dtype: dtype) }
        return Tensor(uninitializedShape: [shape[0], shape[2], shape[1], shape[3]], dtype: dtype).transpose(1, 2)
    }
}
