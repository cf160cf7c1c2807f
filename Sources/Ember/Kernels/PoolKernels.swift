import CEmberMath

/// 1 for true, 0 for false, without a branch.
@inline(__always)
private func bit(_ b: Bool) -> Int { Int(unsafeBitCast(b, to: UInt8.self)) }

/// `p` as the float pointer C kernels take; only called where the element type is `Float`.
@inline(__always)
private func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

/// One axis of a pooling window: for each output position, the input range it covers
/// (clipped to the input) and the size it divides by.
struct PoolAxis {
    var start: [Int] = [], end: [Int] = [], size: [Int] = []

    /// Windows of `kernel` every `stride` over `length` padded by `padding` on each side;
    /// the size counts padding when `countPadding` (PyTorch's `count_include_pad`).
    init(length: Int, kernel: Int, stride: Int, padding: Int, countPadding: Bool) {
        let outputs = (length + 2 * padding - kernel) / stride + 1
        for o in 0..<outputs {
            let lo = o * stride - padding, hi = Swift.min(lo + kernel, length + padding)
            let clippedLo = Swift.max(lo, 0), clippedHi = Swift.min(hi, length)
            start.append(clippedLo)
            end.append(clippedHi)
            size.append(countPadding ? hi - lo : clippedHi - clippedLo)
        }
    }

    /// Adaptive bins: output `i` of `outputs` covers `⌊i·L/n⌋ ..< ⌈(i+1)·L/n⌉`.
    init(length: Int, adaptiveOutputs outputs: Int) {
        for o in 0..<outputs {
            let lo = o * length / outputs, hi = ((o + 1) * length + outputs - 1) / outputs
            start.append(lo)
            end.append(hi)
            size.append(hi - lo)
        }
    }

    var count: Int { start.count }

    /// Whether window `i` is exactly `2i ..< 2i + 2` for every `i`.
    var isPairs: Bool {
        start.indices.allSatisfy { i in start[i] == 2 * i && end[i] == 2 * i + 2 }
    }
}

extension Kernels {
    /// Max pooling over planes of `x` (`[N, C, H, W]`, contiguous): the maxima and, for
    /// the backward pass, the flat index in its plane of each one (first on ties).
    static func maxPool2d(_ x: Tensor, rows: PoolAxis, columns: PoolAxis) -> (values: Tensor, indices: Tensor) {
        let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let oh = rows.count, ow = columns.count
        let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow], dtype: x.dtype)
        let indices = Tensor(uninitializedShape: out.shape, dtype: .int32)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), po = out.pointer(T.self), pi = indices.pointer(Int32.self)
            // The common 2×2 window with stride 2 and no padding reads two input rows per
            // output row directly.
            let halving = rows.isPairs && columns.isPairs
            Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(h * w, 1))) { range in
                for plane in range {
                    let src = px + plane * h * w, dst = po + plane * oh * ow, idx = pi + plane * oh * ow
                    if halving {
                        // Sixteen windows at a time with AVX-512 where the CPU has it.
                        if T.self != Float.self || ember_max_pool_pairs_f32(floats(src), w, oh, ow, floats(dst), idx) == 0 {
                            Self.maxPoolPairs(src, w, oh, ow, dst, idx)
                        }
                        continue
                    }
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            (dst[y * ow + xo], idx[y * ow + xo]) =
                                Self.windowMax(src, w, rows.start[y] ..< rows.end[y], columns.start[xo] ..< columns.end[xo])
                        }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (out, indices)
    }

    /// 2×2 max pooling with stride 2 of one `[2·oh, w]` plane. Every choice is a select
    /// on an ordered comparison, not a branch: on real data the winner is random, and
    /// mispredicted branches cost more than the arithmetic. Ties keep the first element.
    @inline(__always)
    private static func maxPoolPairs<T: FloatingElement>(_ src: UnsafeMutablePointer<T>, _ w: Int, _ oh: Int, _ ow: Int,
                                                        _ dst: UnsafeMutablePointer<T>, _ idx: UnsafeMutablePointer<Int32>) {
        for y in 0..<oh {
            let top = src + 2 &* y &* w, bottom = top + w, row = 2 &* y &* w
            var xo = 0
            if T.self == Float.self {
                // Four windows at a time: eight consecutive floats of each row, split into
                // even and odd lanes (the left and right columns of the windows).
                let t = UnsafeRawPointer(top), b = UnsafeRawPointer(bottom)
                let o = UnsafeMutableRawPointer(dst + y &* ow), ix = idx + y &* ow
                while xo &+ 4 <= ow {
                    let upper8 = t.loadUnaligned(fromByteOffset: 8 &* xo, as: SIMD8<Float>.self)
                    let lower8 = b.loadUnaligned(fromByteOffset: 8 &* xo, as: SIMD8<Float>.self)
                    let (a, bb, c, d) = (upper8.evenHalf, upper8.oddHalf, lower8.evenHalf, lower8.oddHalf)
                    let sum = a + bb + c + d
                    if any(sum .!= sum) { break }
                    let rightTop = bb .> a, rightBottom = d .> c
                    let upper = a.replacing(with: bb, where: rightTop), lower = c.replacing(with: d, where: rightBottom)
                    let below = lower .> upper
                    o.storeBytes(of: upper.replacing(with: lower, where: below), toByteOffset: 4 &* xo, as: SIMD4<Float>.self)
                    let column = SIMD4<Int32>(0, 2, 4, 6) &+ Int32(truncatingIfNeeded: row &+ 2 &* xo)
                    let topOffset = SIMD4<Int32>(repeating: 0).replacing(with: 1, where: rightTop)
                    let bottomOffset = SIMD4<Int32>(repeating: Int32(truncatingIfNeeded: w)).replacing(with: Int32(truncatingIfNeeded: w &+ 1), where: rightBottom)
                    let at = column &+ topOffset.replacing(with: bottomOffset, where: below)
                    UnsafeMutableRawPointer(ix + xo).storeBytes(of: at, as: SIMD4<Int32>.self)
                    xo &+= 4
                }
            }
            while xo < ow {
                let j = 2 &* xo
                let a = top[j], b = top[j &+ 1], c = bottom[j], d = bottom[j &+ 1]
                if (a + b + c + d).isNaN {
                    (dst[y &* ow &+ xo], idx[y &* ow &+ xo]) = windowMax(src, w, 2 * y ..< 2 * y + 2, j ..< j + 2)
                    xo &+= 1
                    continue
                }
                let upper = b > a ? b : a, lower = d > c ? d : c
                dst[y &* ow &+ xo] = lower > upper ? lower : upper
                // The winner's offset from comparison bits, as arithmetic: LLVM turns
                // selects of indices into branches, and those mispredict.
                let rightTop = bit(b > a), rightBottom = bit(d > c), below = bit(lower > upper)
                let offset = below &* (w &+ rightBottom) &+ (1 &- below) &* rightTop
                idx[y &* ow &+ xo] = Int32(truncatingIfNeeded: row &+ j &+ offset)
                xo &+= 1
            }
        }
    }

    /// The maximum of a window of a `[H, W]` plane and its flat index (first on ties;
    /// the first NaN wins, as in PyTorch).
    @inline(__always)
    private static func windowMax<T: FloatingElement>(_ plane: UnsafeMutablePointer<T>, _ w: Int,
                                                      _ rows: Range<Int>, _ columns: Range<Int>) -> (T, Int32) {
        var best = -T.infinity, at = rows.lowerBound * w + columns.lowerBound
        for iy in rows {
            for ix in columns where beats(plane[iy * w + ix], best) {
                best = plane[iy * w + ix]
                at = iy * w + ix
            }
        }
        return (best, Int32(at))
    }

    /// Whether `v` replaces `best` as a window's maximum: larger, or the first NaN
    /// (NaN propagates, as in PyTorch).
    @inline(__always)
    private static func beats<T: FloatingElement>(_ v: T, _ best: T) -> Bool {
        v > best || (v.isNaN && !best.isNaN)
    }

    /// The input gradient of max pooling: each output gradient goes to its argmax.
    /// `tiled`: the windows are the 2×2 pairs of `PoolAxis.isPairs`.
    static func maxPool2dBackward(_ gy: Tensor, indices: Tensor, inputShape: [Int], tiled: Bool) -> Tensor {
        let h = inputShape[2], w = inputShape[3], hw = h * w
        let oh = gy.shape[2], ow = gy.shape[3], per = oh * ow
        // When 2×2 windows tile the input exactly, every input element is written once
        // (its gradient or zero), so the buffer needs no zeroing first.
        let exact = tiled && h == 2 * oh && w == 2 * ow && gy.dtype == .float32
        let gx = exact ? Tensor(uninitializedShape: inputShape, dtype: gy.dtype) : Tensor.zeros(inputShape, dtype: gy.dtype)
        let planes = inputShape[0] * inputShape[1]
        func run<T: FloatingElement>(_: T.Type) {
            let pg = gy.pointer(T.self), pi = indices.pointer(Int32.self), px = gx.pointer(T.self)
            Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(hw, 1))) { range in
                for plane in range {
                    let dst = px + plane * hw
                    if exact {
                        let g = pg + plane * per, i = pi + plane * per
                        if ember_max_pool_pairs_backward_f32(floats(g), i, w, oh, ow, floats(dst)) == 0 {
                            scatterPairs(g, i, UnsafeMutableRawPointer(dst).assumingMemoryBound(to: UInt32.self), w, oh, ow)
                        }
                    } else {
                        for j in 0..<per { dst[Int(pi[plane * per + j])] += pg[plane * per + j] }
                    }
                }
            }
        }
        if gy.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return gx
    }

    /// Writes each window's gradient to its winner and zero to the other three, by
    /// masking bit patterns rather than branching on which element won.
    @inline(__always)
    private static func scatterPairs<T>(_ g: UnsafeMutablePointer<T>, _ idx: UnsafeMutablePointer<Int32>,
                                        _ dst: UnsafeMutablePointer<UInt32>, _ w: Int, _ oh: Int, _ ow: Int) {
        let bits = UnsafeMutableRawPointer(g).assumingMemoryBound(to: UInt32.self)
        for y in 0..<oh {
            for xo in 0..<ow {
                let top = 2 &* y &* w &+ 2 &* xo, at = Int(idx[y &* ow &+ xo]), v = bits[y &* ow &+ xo]
                dst[top] = v & (0 &- UInt32(bit(at == top)))
                dst[top &+ 1] = v & (0 &- UInt32(bit(at == top &+ 1)))
                dst[top &+ w] = v & (0 &- UInt32(bit(at == top &+ w)))
                dst[top &+ w &+ 1] = v & (0 &- UInt32(bit(at == top &+ w &+ 1)))
            }
        }
    }

    /// Average pooling over planes of `x` (`[N, C, H, W]`, contiguous), each window
    /// divided by its rows' size times its columns' size.
    static func avgPool2d(_ x: Tensor, rows: PoolAxis, columns: PoolAxis) -> Tensor {
        let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let oh = rows.count, ow = columns.count
        let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], oh, ow], dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), po = out.pointer(T.self)
            Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(h * w, 1))) { range in
                for plane in range {
                    let src = px + plane * h * w, dst = po + plane * oh * ow
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            var total: T = 0
                            for iy in rows.start[y]..<rows.end[y] {
                                for ix in columns.start[xo]..<columns.end[xo] { total += src[iy * w + ix] }
                            }
                            dst[y * ow + xo] = total / T(rows.size[y] * columns.size[xo])
                        }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    /// The input gradient of average pooling: each output gradient spread evenly over
    /// its window.
    static func avgPool2dBackward(_ gy: Tensor, rows: PoolAxis, columns: PoolAxis, inputShape: [Int]) -> Tensor {
        let gx = Tensor.zeros(inputShape, dtype: gy.dtype)
        let planes = inputShape[0] * inputShape[1], h = inputShape[2], w = inputShape[3]
        let oh = rows.count, ow = columns.count
        func run<T: FloatingElement>(_: T.Type) {
            let pg = gy.pointer(T.self), px = gx.pointer(T.self)
            Parallel.forRange(planes, grain: Swift.max(1, 16384 / Swift.max(h * w, 1))) { range in
                for plane in range {
                    let src = pg + plane * oh * ow, dst = px + plane * h * w
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            let share = src[y * ow + xo] / T(rows.size[y] * columns.size[xo])
                            for iy in rows.start[y]..<rows.end[y] {
                                for ix in columns.start[xo]..<columns.end[xo] { dst[iy * w + ix] += share }
                            }
                        }
                    }
                }
            }
        }
        if gy.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return gx
    }
}
