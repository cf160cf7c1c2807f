/// The reductions that have kernels.
enum Reduction: String {
    case sum, max, min, argmax, argmin
}

extension Kernels {
    /// Reduces `x` over the sorted, distinct `dims`, giving the kept shape (reduced
    /// dims have size 1); no autograd. `argmax`/`argmin` need one dim and give int64.
    static func reduce(_ x: Tensor, dims: [Int], _ op: Reduction) -> Tensor {
        // Dims in separate runs (a conv bias's gradient sums [N, C, H, W] over 0, 2 and 3):
        // reduce the last run first, then the rest of the smaller result, instead of
        // permuting and copying the whole input.
        if x.isContiguous && op != .argmax && op != .argmin,
           let split = dims.indices.dropFirst().last(where: { dims[$0] != dims[$0 - 1] + 1 }) {
            return reduce(reduce(x, dims: Array(dims[split...]), op), dims: Array(dims[..<split]), op)
        }
        var keptShape = x.shape
        for d in dims { keptShape[d] = 1 }
        let outDType: DType = (op == .argmax || op == .argmin) ? .int64 : x.dtype
        let out = Tensor(uninitializedShape: keptShape, dtype: outDType)
        // View the input as [outer, r, inner] rows, copying only when the reduced dims
        // are not one contiguous block.
        let src: Tensor, outer: Int, r: Int, inner: Int
        let reduced = dims.reduce(1) { $0 * x.shape[$1] }
        let block = dims.isEmpty || dims.last! - dims.first! + 1 == dims.count
        if x.isContiguous && block {
            src = x
            inner = dims.isEmpty ? 1 : Shape.count(Array(x.shape[(dims.last! + 1)...]))
            r = reduced
            outer = x.numel / Swift.max(r * inner, 1)
        } else {
            let keep = (0..<x.ndim).filter { !dims.contains($0) }
            src = x.detach().permute(keep + dims).contiguous()
            r = reduced
            inner = 1
            outer = x.numel / Swift.max(r, 1)
        }
        precondition(r > 0 || op == .sum, "\(op.rawValue): cannot reduce an empty dimension of \(OpMessage.format(x.shape))")
        if r == 0 {
            fill(out, 0)  // a sum of no terms
            return out
        }
        func float<T: FloatingElement>(_: T.Type) {
            let p = src.pointer(T.self)
            switch op {
            case .sum: rows(p, out.pointer(T.self), outer, r, inner, SumReduce<T>())
            case .max: rows(p, out.pointer(T.self), outer, r, inner, MaxReduce<T>())
            case .min: rows(p, out.pointer(T.self), outer, r, inner, MinReduce<T>())
            case .argmax: argRows(p, out.pointer(Int64.self), outer, r, inner) { $0 > $1 || ($0.isNaN && !$1.isNaN) }
            case .argmin: argRows(p, out.pointer(Int64.self), outer, r, inner) { $0 < $1 || ($0.isNaN && !$1.isNaN) }
            }
        }
        func integer<T: FixedWidthInteger>(_: T.Type) {
            let p = src.pointer(T.self)
            switch op {
            case .sum: rows(p, out.pointer(T.self), outer, r, inner, WrappingSumReduce<T>())
            case .max: rows(p, out.pointer(T.self), outer, r, inner, IntegerMaxReduce<T>())
            case .min: rows(p, out.pointer(T.self), outer, r, inner, IntegerMinReduce<T>())
            case .argmax: argRows(p, out.pointer(Int64.self), outer, r, inner) { $0 > $1 }
            case .argmin: argRows(p, out.pointer(Int64.self), outer, r, inner) { $0 < $1 }
            }
        }
        switch x.dtype {
        case .float32: float(Float.self)
        case .float64: float(Double.self)
        case .int64: integer(Int64.self)
        case .int32: integer(Int32.self)
        case .bool: preconditionFailure(OpMessage.dtype(op: op.rawValue, .bool, expected: "a numeric type; convert with to(.int64)"))
        }
        return out
    }

    /// `out[o, i] = combine over k of x[o, k, i]` for `x` laid out as [outer, r, inner].
    /// Rows (inner == 1) are combined in blocks of 4096 with eight running accumulators,
    /// so the loop is not one long dependency chain and a float32 sum of a million
    /// elements keeps its accuracy; columns accumulate whole inner rows, which vectorises.
    @inline(__always)
    private static func rows<F: ReduceFunction>(_ x: UnsafeMutablePointer<F.Element>, _ out: UnsafeMutablePointer<F.Element>,
                                                _ outer: Int, _ r: Int, _ inner: Int, _ combine: F) {
        let initial = combine.identity
        if inner == 1 {
            Parallel.forRange(outer, grain: Swift.max(1, (1 << 16) / Swift.max(r, 1))) { range in
                for o in range {
                    var total = initial
                    var start = 0
                    while start < r {
                        let row = x + (o &* r &+ start), n = Swift.min(4096, r &- start)
                        var acc = (initial, initial, initial, initial, initial, initial, initial, initial)
                        var k = 0
                        while k &+ 8 <= n {
                            acc.0 = combine(acc.0, row[k]); acc.1 = combine(acc.1, row[k &+ 1])
                            acc.2 = combine(acc.2, row[k &+ 2]); acc.3 = combine(acc.3, row[k &+ 3])
                            acc.4 = combine(acc.4, row[k &+ 4]); acc.5 = combine(acc.5, row[k &+ 5])
                            acc.6 = combine(acc.6, row[k &+ 6]); acc.7 = combine(acc.7, row[k &+ 7])
                            k &+= 8
                        }
                        while k < n {
                            acc.0 = combine(acc.0, row[k])
                            k &+= 1
                        }
                        total = combine(total, combine(combine(combine(acc.0, acc.1), combine(acc.2, acc.3)),
                                                       combine(combine(acc.4, acc.5), combine(acc.6, acc.7))))
                        start &+= 4096
                    }
                    out[o] = total
                }
            }
            return
        }
        Parallel.forRange(outer, grain: Swift.max(1, (1 << 16) / Swift.max(r &* inner, 1))) { range in
            for o in range {
                let dst = out + o &* inner
                for i in 0..<inner { dst[i] = initial }
                for k in 0..<r {
                    let src = x + (o &* r &+ k) &* inner
                    for i in 0..<inner { dst[i] = combine(dst[i], src[i]) }
                }
            }
        }
    }

    /// Index along the middle axis of the first element that `better` prefers.
    @inline(__always)
    private static func argRows<T>(_ x: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<Int64>,
                                   _ outer: Int, _ r: Int, _ inner: Int, _ better: (T, T) -> Bool) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = x + (o &* r &* inner &+ i)
                var best = base[0], index = 0
                for k in 1..<Swift.max(r, 1) where better(base[k &* inner], best) {
                    best = base[k &* inner]
                    index = k
                }
                out[o &* inner &+ i] = Int64(index)
            }
        }
    }
}
