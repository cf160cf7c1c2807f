/// Elementwise loops over strided operands into a fresh contiguous output. Contiguous
/// operands of one shape take a flat loop split across threads; others are walked one
/// innermost row at a time, with the common broadcast patterns (vector–vector,
/// vector–scalar) as their own loops.
enum Elementwise {
    /// `out[i] = f(a[i])`, where `out` is contiguous and shaped as `a`.
    @inline(__always)
    static func map<F: UnaryFunction>(_ a: Tensor, into out: Tensor, _ f: F) {
        checkTypes(a, F.Input.self, out, F.Output.self)
        let pa = a.pointer(F.Input.self), po = out.pointer(F.Output.self)
        if a.isContiguous {
            Parallel.forRange(out.numel) { range in
                for i in range { po[i] = f(pa[i]) }
            }
            return
        }
        let loop = StridedLoop(shape: out.shape, strides: [out.strides, a.strides])
        let n = loop.rowLength, sa = loop.strides[1].last!
        Parallel.forRange(loop.rowCount, grain: Swift.max(1, (1 << 17) / Swift.max(n, 1))) { rows in
            loop.forEachRow(rows) { oo, oa, _ in
                let o = po + oo, x = pa + oa
                if sa == 1 {
                    for j in 0..<n { o[j] = f(x[j]) }
                } else {
                    for j in 0..<n { o[j] = f(x[j &* sa]) }
                }
            }
        }
    }

    /// `out[i] = f(a[i], b[i])` with `a` and `b` broadcast to `out`'s shape.
    @inline(__always)
    static func zip<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, into out: Tensor, _ f: F) {
        checkTypes(a, F.Left.self, out, F.Output.self)
        checkTypes(b, F.Right.self, out, F.Output.self)
        let pa = a.pointer(F.Left.self), pb = b.pointer(F.Right.self), po = out.pointer(F.Output.self)
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
        Parallel.forRange(loop.rowCount, grain: Swift.max(1, (1 << 17) / Swift.max(n, 1))) { rows in
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

    /// `out[i] = condition[i] ? a[i] : b[i]`, all broadcast to `out`'s shape; `T` is a
    /// bit pattern of the element width.
    static func select<T>(_ condition: Tensor, _ a: Tensor, _ b: Tensor, into out: Tensor, _: T.Type) {
        checkTypes(a, T.self, out, T.self)
        checkTypes(b, T.self, condition, Bool.self)
        let pc = condition.pointer(Bool.self), pa = a.pointer(T.self), pb = b.pointer(T.self), po = out.pointer(T.self)
        let sc = Shape.broadcastStrides(shape: condition.shape, strides: condition.strides, to: out.shape)
        let sa = Shape.broadcastStrides(shape: a.shape, strides: a.strides, to: out.shape)
        let sb = Shape.broadcastStrides(shape: b.shape, strides: b.strides, to: out.shape)
        let loop = StridedLoop(shape: out.shape, strides: [sc, sa, sb])
        let n = loop.rowLength, rc = loop.strides[0].last!, ra = loop.strides[1].last!, rb = loop.strides[2].last!
        var r = 0
        // The output is contiguous, so row r starts at r * n.
        loop.forEachRow(0..<loop.rowCount) { oc, oa, ob in
            let o = po + r &* n, c = pc + oc, x = pa + oa, y = pb + ob
            for j in 0..<n { o[j] = c[j &* rc] ? x[j &* ra] : y[j &* rb] }
            r &+= 1
        }
    }

    /// Stops if a kernel's Swift element types do not match the tensors' dtypes.
    @inline(__always)
    private static func checkTypes<A, R>(_ a: Tensor, _: A.Type, _ out: Tensor, _: R.Type) {
        precondition(MemoryLayout<A>.stride == a.dtype.itemSize && MemoryLayout<R>.stride == out.dtype.itemSize,
                     "elementwise kernel: Swift types \(A.self) -> \(R.self) do not match dtypes \(a.dtype) -> \(out.dtype)")
    }
}
