/// The shape arithmetic of a 2-D sliding window over `[channels, height, width]`.
struct WindowGeometry {
    let channels: Int, height: Int, width: Int
    let kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D

    /// Output height: `(H + 2p − d(k − 1) − 1) / s + 1`.
    var outHeight: Int { (height + 2 * padding.h - dilation.h * (kernel.h - 1) - 1) / stride.h + 1 }
    /// Output width.
    var outWidth: Int { (width + 2 * padding.w - dilation.w * (kernel.w - 1) - 1) / stride.w + 1 }
    /// Rows of the unfolded matrix: one per (channel, kernel row, kernel column).
    var columnRows: Int { channels * kernel.h * kernel.w }
    /// Columns of the unfolded matrix: one per output position.
    var columnCount: Int { outHeight * outWidth }

    /// Whether unfolding is the identity (1×1 kernel, stride 1, no padding).
    var isPointwise: Bool {
        kernel == 1 && stride == 1 && padding == 0
    }

    /// The output columns `lo..<hi` whose input column `x·stride + offset` lies inside
    /// the image; the others read padding.
    @inline(__always)
    private func validColumns(offset: Int) -> (lo: Int, hi: Int) {
        let ow = outWidth
        // x·s + offset >= 0  ⇔  x >= ⌈−offset / s⌉;  x·s + offset < W  ⇔  x < ⌈(W − offset) / s⌉.
        let lo = Swift.min(ow, Swift.max(0, (-offset + stride.w - 1) / stride.w))
        let hi = Swift.max(lo, Swift.min(ow, (width - offset + stride.w - 1) / stride.w))
        return (lo, hi)
    }

    /// Unfolds `x` (`[channels, height, width]`) into `cols` (`[columnRows, columnCount]`),
    /// zero where the window hangs over the padding (im2col).
    @inline(__always)
    func unfold<T: FloatingElement>(_ x: UnsafePointer<T>, into cols: UnsafeMutablePointer<T>) {
        let oh = outHeight, ow = outWidth, sw = stride.w
        var row = 0
        for c in 0..<channels {
            let plane = x + c * height * width
            for ki in 0..<kernel.h {
                for kj in 0..<kernel.w {
                    let dst = cols + row * oh * ow
                    let x0 = kj * dilation.w - padding.w
                    let (lo, hi) = validColumns(offset: x0)
                    for y in 0..<oh {
                        let iy = y * stride.h - padding.h + ki * dilation.h
                        let line = dst + y * ow
                        // Plain loops: rows are short, and a memset or memmove call per
                        // row (often for one element of padding) costs more than the copy.
                        if iy < 0 || iy >= height {
                            for xo in 0..<ow { line[xo] = 0 }
                            continue
                        }
                        let src = plane + iy * width + x0
                        for xo in 0..<lo { line[xo] = 0 }
                        if sw == 1 {
                            for xo in lo..<hi { line[xo] = src[xo] }
                        } else {
                            for xo in lo..<hi { line[xo] = src[xo &* sw] }
                        }
                        for xo in hi..<ow { line[xo] = 0 }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds `cols` back onto `x` (col2im), the adjoint of `unfold`.
    @inline(__always)
    func fold<T: FloatingElement>(_ cols: UnsafePointer<T>, addingInto x: UnsafeMutablePointer<T>) {
        let oh = outHeight, ow = outWidth, sw = stride.w
        var row = 0
        for c in 0..<channels {
            let plane = x + c * height * width
            for ki in 0..<kernel.h {
                for kj in 0..<kernel.w {
                    let src = cols + row * oh * ow
                    let x0 = kj * dilation.w - padding.w
                    let (lo, hi) = validColumns(offset: x0)
                    for y in 0..<oh {
                        let iy = y * stride.h - padding.h + ki * dilation.h
                        if iy < 0 || iy >= height { continue }
                        let dst = plane + iy * width + x0, line = src + y * ow
                        if sw == 1 {
                            for xo in lo..<hi { dst[xo] += line[xo] }
                        } else {
                            for xo in lo..<hi { dst[xo &* sw] += line[xo] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

extension Kernels {
    /// The parameters of a convolution that kernels need.
    struct Convolution {
        let stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int

        /// The per-group window over an input of shape `[N, C, H, W]` with weight
        /// `[O, C / groups, kH, kW]`.
        func geometry(input: [Int], weight: [Int]) -> WindowGeometry {
            WindowGeometry(channels: input[1] / groups, height: input[2], width: input[3],
                           kernel: Size2D(weight[2], weight[3]), stride: stride, padding: padding, dilation: dilation)
        }
    }

    /// `[N, C, H, W] ⋆ [O, C/g, kH, kW] (+ b) -> [N, O, oH, oW]` by im2col and one GEMM
    /// per sample and group, samples split across threads; the bias is written into the
    /// output first and the GEMM adds onto it. `x`, `w` and `b` contiguous.
    static func conv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ conv: Convolution) -> Tensor {
        let geo = conv.geometry(input: x.shape, weight: w.shape)
        let n = x.shape[0], outChannels = w.shape[0], g = conv.groups
        let og = outChannels / g, k = geo.columnRows, p = geo.columnCount
        let out = Tensor(uninitializedShape: [n, outChannels, geo.outHeight, geo.outWidth], dtype: x.dtype)
        _ = Parallel.singleThreadedBLAS
        func run<T: BLASElement>(_: T.Type) {
            let px = x.pointer(T.self), pw = w.pointer(T.self), po = out.pointer(T.self)
            let sampleIn = x.shape[1] * geo.height * geo.width, groupIn = geo.channels * geo.height * geo.width
            Parallel.forChunks(n, chunks: Parallel.chunkCount(n, grain: 1)) { _, samples in
                let scratch = Storage(byteCount: geo.isPointwise ? 0 : k * p * MemoryLayout<T>.stride)
                defer { withExtendedLifetime(scratch) {} }
                let cols = scratch.data.assumingMemoryBound(to: T.self)
                for s in samples {
                    if let b {
                        let pb = b.pointer(T.self)
                        for o in 0..<outChannels {
                            let row = po + (s * outChannels + o) * p, value = pb[o]
                            for j in 0..<p { row[j] = value }
                        }
                    }
                    for group in 0..<g {
                        let input = px + s * sampleIn + group * groupIn
                        if !geo.isPointwise { geo.unfold(input, into: cols) }
                        T.gemm(false, false, og, p, k, 1, pw + group * og * k, k,
                               geo.isPointwise ? UnsafePointer(input) : UnsafePointer(cols), p,
                               b == nil ? 0 : 1, po + (s * outChannels + group * og) * p, p)
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    /// Gradients of `conv2d` with respect to its input (`needInput`) and weight
    /// (`needWeight`), given the output gradient `gy` (`[N, O, oH, oW]`, contiguous).
    static func conv2dBackward(_ x: Tensor, _ w: Tensor, _ gy: Tensor, _ conv: Convolution,
                               needInput: Bool, needWeight: Bool) -> (input: Tensor?, weight: Tensor?) {
        let geo = conv.geometry(input: x.shape, weight: w.shape)
        let n = x.shape[0], outChannels = w.shape[0], g = conv.groups
        let og = outChannels / g, k = geo.columnRows, p = geo.columnCount
        let gx = needInput ? Tensor.zeros(x.shape, dtype: x.dtype) : nil
        let chunks = Parallel.chunkCount(n, grain: 1)
        // One partial weight gradient per chunk, summed at the end.
        let partials = needWeight ? Tensor.zeros([chunks] + w.shape, dtype: w.dtype) : nil
        _ = Parallel.singleThreadedBLAS
        func run<T: BLASElement>(_: T.Type) {
            let px = x.pointer(T.self), pw = w.pointer(T.self), pg = gy.pointer(T.self)
            let sampleIn = x.shape[1] * geo.height * geo.width, groupIn = geo.channels * geo.height * geo.width
            Parallel.forChunks(n, chunks: chunks) { chunk, samples in
                let scratch = Storage(byteCount: k * p * MemoryLayout<T>.stride)
                defer { withExtendedLifetime(scratch) {} }
                let cols = scratch.data.assumingMemoryBound(to: T.self)
                for s in samples {
                    for group in 0..<g {
                        let grad = pg + (s * outChannels + group * og) * p
                        let weight = pw + group * og * k
                        if let gx {
                            let target = gx.pointer(T.self) + s * sampleIn + group * groupIn
                            if geo.isPointwise {
                                T.gemm(true, false, k, p, og, 1, weight, k, grad, p, 1, target, p)
                            } else {
                                T.gemm(true, false, k, p, og, 1, weight, k, grad, p, 0, cols, p)
                                geo.fold(cols, addingInto: target)
                            }
                        }
                        if let partials {
                            let input = px + s * sampleIn + group * groupIn
                            if !geo.isPointwise { geo.unfold(input, into: cols) }
                            T.gemm(false, true, og, k, p, 1, grad, p, geo.isPointwise ? UnsafePointer(input) : UnsafePointer(cols), p,
                                   1, partials.pointer(T.self) + (chunk * outChannels + group * og) * k, k)
                        }
                    }
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (gx, partials.map { p in withNoGrad { p.sum(dim: 0) } })
    }
}
