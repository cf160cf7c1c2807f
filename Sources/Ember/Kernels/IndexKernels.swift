#if canImport(Glibc)
import Glibc
#endif

extension Kernels {
    /// Checks that every entry of an int64 `index` lies in `0..<bound` and returns a
    /// contiguous copy of it; `op` names the caller in the message.
    static func checkedIndex(_ index: Tensor, bound: Int, op: String) -> Tensor {
        precondition(index.dtype == .int64 || index.dtype == .int32,
                     OpMessage.dtype(op: op, index.dtype, expected: "an int64 index"))
        let idx = index.to(.int64).contiguous()
        let p = idx.pointer(Int64.self)
        for i in 0..<idx.numel where p[i] < 0 || p[i] >= bound {
            preconditionFailure("\(op): index \(p[i]) is out of range for a dimension of size \(bound)")
        }
        return idx
    }

    /// `x` viewed as `[outer, n, inner]` around `dim` (contiguous).
    private static func around(_ x: Tensor, _ dim: Int) -> (outer: Int, n: Int, inner: Int) {
        let outer = Shape.count(Array(x.shape[..<dim]))
        let inner = Shape.count(Array(x.shape[(dim + 1)...]))
        return (outer, x.shape[dim], inner)
    }

    /// Rows of `x` along `dim` picked by the 1-D `index` (contiguous, checked).
    static func indexSelect(_ x: Tensor, dim: Int, index: Tensor) -> Tensor {
        let x = x.contiguous()
        var shape = x.shape
        shape[dim] = index.numel
        let out = Tensor(uninitializedShape: shape, dtype: x.dtype)
        let (outer, n, inner) = around(x, dim)
        let k = index.numel, bytes = inner * x.dtype.itemSize, idx = index.pointer(Int64.self)
        let src = x.storage.data + x.offset * x.dtype.itemSize, dst = out.storage.data
        for o in 0..<outer {
            for j in 0..<k {
                memcpy(dst + (o * k + j) * bytes, src + (o * n + Int(idx[j])) * bytes, bytes)
            }
        }
        return out
    }

    /// `base` plus `source` added at rows `index` along `dim` (float, contiguous result).
    static func indexAdd(_ base: Tensor, dim: Int, index: Tensor, source: Tensor) -> Tensor {
        let out = Copy.contiguous(base), src = source.contiguous()
        let (outer, n, inner) = around(out, dim)
        let k = index.numel, idx = index.pointer(Int64.self)
        func run<T: FloatingElement>(_: T.Type) {
            let d = out.pointer(T.self), s = src.pointer(T.self)
            for o in 0..<outer {
                for j in 0..<k {
                    let to = d + (o * n + Int(idx[j])) * inner, from = s + (o * k + j) * inner
                    for i in 0..<inner { to[i] += from[i] }
                }
            }
        }
        if out.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    /// `out[…i…] = x[…index[…i…]…]` along `dim`, shaped as `index` (checked, contiguous).
    static func gather(_ x: Tensor, dim: Int, index: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: index.shape, dtype: x.dtype)
        var xs = x.strides
        let dimStride = xs[dim]
        xs[dim] = 0
        let loop = StridedLoop(shape: index.shape, strides: [index.strides, xs, out.strides])
        let n = loop.rowLength, ri = loop.strides[0].last!, rx = loop.strides[1].last!
        func run<T>(_: T.Type) {
            let pi = index.pointer(Int64.self), px = x.pointer(T.self), po = out.pointer(T.self)
            loop.forEachRow(0..<loop.rowCount) { oi, ox, oo in
                for j in 0..<n { po[oo &+ j] = px[ox &+ j &* rx &+ Int(pi[oi &+ j &* ri]) &* dimStride] }
            }
        }
        switch x.dtype.itemSize {
        case 8: run(UInt64.self)
        case 4: run(UInt32.self)
        default: run(UInt8.self)
        }
        return out
    }

    /// A copy of `base` with `source[…i…]` added at `[…index[…i…]…]` along `dim`.
    static func scatterAdd(_ base: Tensor, dim: Int, index: Tensor, source: Tensor) -> Tensor {
        let out = Copy.contiguous(base), src = source.contiguous()
        var os = out.strides
        let dimStride = os[dim]
        os[dim] = 0
        let srcStrides = Shape.contiguousStrides(src.shape)
        let cropped = index.shape.indices.map { srcStrides[$0] }
        let loop = StridedLoop(shape: index.shape, strides: [index.strides, os, cropped])
        let n = loop.rowLength, ri = loop.strides[0].last!, ro = loop.strides[1].last!, rs = loop.strides[2].last!
        func run<T: AdditiveArithmetic>(_: T.Type) {
            let pi = index.pointer(Int64.self), po = out.pointer(T.self), ps = src.pointer(T.self)
            loop.forEachRow(0..<loop.rowCount) { oi, oo, osrc in
                for j in 0..<n { po[oo &+ j &* ro &+ Int(pi[oi &+ j &* ri]) &* dimStride] += ps[osrc &+ j &* rs] }
            }
        }
        switch out.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .bool: preconditionFailure(OpMessage.dtype(op: "scatterAdd", .bool, expected: "a numeric type"))
        }
        return out
    }
}
