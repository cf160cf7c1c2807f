/// Copies and conversions between layouts and dtypes.
enum Copy {
    /// A contiguous copy of `t` (same dtype), however it is laid out.
    static func contiguous(_ t: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: t.shape, dtype: t.dtype)
        switch t.dtype.itemSize {
        case 8: Elementwise.map(t, into: out, Identity<UInt64>())
        case 4: Elementwise.map(t, into: out, Identity<UInt32>())
        default: Elementwise.map(t, into: out, Identity<UInt8>())
        }
        return out
    }

    /// Writes `src` (broadcast to `dst.shape`, same dtype) into the view `dst`.
    static func assign(_ src: Tensor, to dst: Tensor) {
        precondition(src.dtype == dst.dtype, OpMessage.dtype(op: "copy", src.dtype, expected: "\(dst.dtype)"))
        let ss = Shape.broadcastStrides(shape: src.shape, strides: src.strides, to: dst.shape)
        let loop = StridedLoop(shape: dst.shape, strides: [dst.strides, ss])
        func run<T>(_: T.Type) {
            let pd = dst.pointer(T.self), ps = src.pointer(T.self)
            let n = loop.rowLength, rd = loop.strides[0].last!, rs = loop.strides[1].last!
            loop.forEachRow(0..<loop.rowCount) { od, os, _ in
                let d = pd + od, s = ps + os
                if rd == 1 && rs == 1 {
                    d.update(from: s, count: n)
                } else {
                    for j in 0..<n { d[j &* rd] = s[j &* rs] }
                }
            }
        }
        switch dst.dtype.itemSize {
        case 8: run(UInt64.self)
        case 4: run(UInt32.self)
        default: run(UInt8.self)
        }
    }

    /// `t` converted to `dtype`, contiguous.
    static func convert(_ t: Tensor, to dtype: DType) -> Tensor {
        let out = Tensor(uninitializedShape: t.shape, dtype: dtype)
        func from<S: TensorElement>(_: S.Type) {
            switch dtype {
            case .float32: Elementwise.map(t, into: out, Convert<S, Float>())
            case .float64: Elementwise.map(t, into: out, Convert<S, Double>())
            case .int64: Elementwise.map(t, into: out, Convert<S, Int64>())
            case .int32: Elementwise.map(t, into: out, Convert<S, Int32>())
            case .bool: Elementwise.map(t, into: out, Convert<S, Bool>())
            }
        }
        switch t.dtype {
        case .float32: from(Float.self)
        case .float64: from(Double.self)
        case .int64: from(Int64.self)
        case .int32: from(Int32.self)
        case .bool: from(Bool.self)
        }
        return out
    }
}
