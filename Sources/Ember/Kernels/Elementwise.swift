/// Elementwise loops over strided operands into a fresh contiguous output. The element
/// function is a closure literal at each call site; these helpers are always inlined,
/// so each op compiles to its own tight loop (no per-element call).
enum Elementwise {
    /// `out[i] = f(a[i])`, where `out` is contiguous and shaped as `a`.
    @inline(__always)
    static func map<A, R>(_ a: Tensor, _: A.Type, into out: Tensor, _ f: (A) -> R) {
        checkTypes(a, A.self, out, R.self)
        let pa = a.pointer(A.self), po = out.pointer(R.self)
        if a.isContiguous {
            Parallel.forRange(out.numel) { range in
                for i in range { po[i] = f(pa[i]) }
            }
            return
        }
        let loop = StridedLoop(shape: out.shape, strides: [out.strides, a.strides])
        let n = loop.rowLength, sa = loop.strides[1].last!
        Parallel.forRange(loop.rowCount, grain: Swift.max(1, (1 << 17) / n)) { rows in
            loop.forEachRow(rows) { oo, oa, _ in
                let o = po + oo, x = pa + oa
                for j in 0..<n { o[j] = f(x[j &* sa]) }
            }
        }
    }

    /// `out[i] = f(a[i], b[i])` with `a` and `b` broadcast to `out`'s shape.
    @inline(__always)
    static func zip<A, B, R>(_ a: Tensor, _: A.Type, _ b: Tensor, _: B.Type, into out: Tensor, _ f: (A, B) -> R) {
        checkTypes(a, A.self, out, R.self)
        checkTypes(b, B.self, out, R.self)
        let pa = a.pointer(A.self), pb = b.pointer(B.self), po = out.pointer(R.self)
        if a.shape == out.shape, b.shape == out.shape, a.isContiguous, b.isContiguous {
            Parallel.forRange(out.numel) { range in
                for i in range { po[i] = f(pa[i], pb[i]) }
            }
            return
        }
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: out.shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: out.shape)
        let loop = StridedLoop(shape: out.shape, strides: [out.strides, sa, sb])
        let n = loop.rowLength, ra = loop.strides[1].last!, rb = loop.strides[2].last!
        Parallel.forRange(loop.rowCount, grain: Swift.max(1, (1 << 17) / n)) { rows in
            loop.forEachRow(rows) { oo, oa, ob in
                let o = po + oo, x = pa + oa, y = pb + ob
                if ra == 1 && rb == 1 {
                    for j in 0..<n { o[j] = f(x[j], y[j]) }
                } else if ra == 1 && rb == 0 {
                    let v = y[0]
                    for j in 0..<n { o[j] = f(x[j], v) }
                } else if ra == 0 && rb == 1 {
                    let u = x[0]
                    for j in 0..<n { o[j] = f(u, y[j]) }
                } else {
                    for j in 0..<n { o[j] = f(x[j &* ra], y[j &* rb]) }
                }
            }
        }
    }

    /// `out[i] = f(a[i], b[i], c[i])` with all three broadcast to `out`'s shape.
    @inline(__always)
    static func zip3<A, B, C, R>(_ a: Tensor, _: A.Type, _ b: Tensor, _: B.Type, _ c: Tensor, _: C.Type,
                                 into out: Tensor, _ f: (A, B, C) -> R) {
        checkTypes(a, A.self, out, R.self)
        checkTypes(b, B.self, c, C.self)
        let pa = a.pointer(A.self), pb = b.pointer(B.self), pc = c.pointer(C.self), po = out.pointer(R.self)
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: out.shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: out.shape)
        let sc = Shape.broadcastStrides(shape: c.shape, strides: c.strides, to: out.shape)
        let loop = StridedLoop(shape: out.shape, strides: [sa, sb, sc])
        let n = loop.rowLength, ra = loop.strides[0].last!, rb = loop.strides[1].last!, rc = loop.strides[2].last!
        // Output is contiguous, so row r starts at r * n.
        Parallel.forRange(loop.rowCount, grain: Swift.max(1, (1 << 17) / n)) { rows in
            var r = rows.lowerBound
            loop.forEachRow(rows) { oa, ob, oc in
                let o = po + r &* n, x = pa + oa, y = pb + ob, z = pc + oc
                for j in 0..<n { o[j] = f(x[j &* ra], y[j &* rb], z[j &* rc]) }
                r += 1
            }
        }
    }

    /// Guards against a closure whose inferred element type does not match the storage
    /// (an integer literal inferred as `Int` where `Float` was meant).
    @inline(__always)
    private static func checkTypes<A, R>(_ a: Tensor, _: A.Type, _ out: Tensor, _: R.Type) {
        precondition(MemoryLayout<A>.stride == a.dtype.itemSize && MemoryLayout<R>.stride == out.dtype.itemSize,
                     "elementwise kernel: Swift types \(A.self) -> \(R.self) do not match dtypes \(a.dtype) -> \(out.dtype)")
    }
}
