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

    /// Elements of the input copied into a zero border of `padding` on every side
    /// (`[channels, H + 2·pad.h, W + 2·pad.w]`): unfolding reads it without bounds checks.
    var paddedCount: Int { channels * paddedHeight * paddedWidth }
    private var paddedHeight: Int { height + 2 * padding.h }
    private var paddedWidth: Int { width + 2 * padding.w }

    /// Unfolds `x` (`[channels, height, width]`) into `cols` (`[columnRows, columnCount]`)
    /// (im2col). The input is first copied into `padded` (`paddedCount` elements) with a
    /// zero border, so every window position is a plain read. With a column stride of 1,
    /// each (channel, kernel row, kernel column) row of `cols` is `outHeight` short rows
    /// of the padded input: one `copyRows`, vectorised with masked tails for `Float`.
    @inline(__always)
    func unfold<T: FloatingElement>(_ x: UnsafePointer<T>, into cols: UnsafeMutablePointer<T>, padded: UnsafeMutablePointer<T>) {
        let pw = paddedWidth, oh = outHeight, ow = outWidth, sw = stride.w
        padded.update(repeating: 0, count: paddedCount)
        for c in 0..<channels {
            T.copyRows(x + c * height * width, width, interior(padded, channel: c), pw, rows: height, width: width)
        }
        forEachWindow(padded) { window, row in
            let lines = cols + row * oh * ow
            if sw == 1 {
                T.copyRows(window, stride.h * pw, lines, ow, rows: oh, width: ow)
            } else {
                for y in 0..<oh {
                    let from = window + y * stride.h * pw, line = lines + y * ow
                    for xo in 0..<ow { line[xo] = from[xo &* sw] }
                }
            }
        }
    }

    /// Writes into `x` the sum of `cols` folded back onto the input (col2im), the
    /// adjoint of `unfold`, accumulating in the zero-bordered scratch `padded` first.
    @inline(__always)
    func fold<T: FloatingElement>(_ cols: UnsafePointer<T>, into x: UnsafeMutablePointer<T>, padded: UnsafeMutablePointer<T>) {
        let pw = paddedWidth, oh = outHeight, ow = outWidth, sw = stride.w
        padded.update(repeating: 0, count: paddedCount)
        forEachWindow(padded) { window, row in
            let lines = cols + row * oh * ow
            if sw == 1 {
                T.addRows(lines, ow, window, stride.h * pw, rows: oh, width: ow)
            } else {
                for y in 0..<oh {
                    let to = window + y * stride.h * pw, line = lines + y * ow
                    for xo in 0..<ow { to[xo &* sw] += line[xo] }
                }
            }
        }
        for c in 0..<channels {
            T.copyRows(interior(padded, channel: c), pw, x + c * height * width, width, rows: height, width: width)
        }
    }

    /// Where channel `c`'s input starts in the zero-bordered copy.
    @inline(__always)
    private func interior<T>(_ padded: UnsafeMutablePointer<T>, channel c: Int) -> UnsafeMutablePointer<T> {
        padded + (c * paddedHeight + padding.h) * paddedWidth + padding.w
    }

    /// Calls `body(window, row)` for every row of the unfolded matrix, one per (channel,
    /// kernel row, kernel column) in that order: `window` is where that kernel position
    /// reads the padded input for output (0, 0); output (y, x) reads
    /// `window[y · stride.h · paddedWidth + x · stride.w]`. The loop nest `unfold` and
    /// `fold` share.
    @inline(__always)
    private func forEachWindow<T>(_ padded: UnsafeMutablePointer<T>, _ body: (_ window: UnsafeMutablePointer<T>, _ row: Int) -> Void) {
        let ph = paddedHeight, pw = paddedWidth
        var row = 0
        for c in 0..<channels {
            let plane = padded + c * ph * pw
            for ki in 0..<kernel.h {
                for kj in 0..<kernel.w {
                    body(plane + ki * dilation.h * pw + kj * dilation.w, row)
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
        func run<T: BLASElement>(_: T.Type) {
            let px = x.pointer(T.self), pw = w.pointer(T.self), po = out.pointer(T.self)
            let sampleIn = x.shape[1] * geo.height * geo.width, groupIn = geo.channels * geo.height * geo.width
            Parallel.forChunks(n, chunks: Parallel.chunkCount(n, grain: 1)) { _, samples in
                let scratch = Storage(byteCount: geo.isPointwise ? 0 : (k * p + geo.paddedCount) * MemoryLayout<T>.stride)
                defer { withExtendedLifetime(scratch) {} }
                let cols = scratch.data.assumingMemoryBound(to: T.self), padded = cols + k * p
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
                        if !geo.isPointwise { geo.unfold(input, into: cols, padded: padded) }
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
        // Every element of the input gradient is written (by a GEMM or by folding), so it
        // starts uninitialised.
        let gx = needInput ? Tensor(uninitializedShape: x.shape, dtype: x.dtype) : nil
        let chunks = Parallel.chunkCount(n, grain: 1)
        // One partial weight gradient per chunk, summed at the end.
        let partials = needWeight ? Tensor.zeros([chunks] + w.shape, dtype: w.dtype) : nil
        func run<T: BLASElement>(_: T.Type) {
            let px = x.pointer(T.self), pw = w.pointer(T.self), pg = gy.pointer(T.self)
            let sampleIn = x.shape[1] * geo.height * geo.width, groupIn = geo.channels * geo.height * geo.width
            Parallel.forChunks(n, chunks: chunks) { chunk, samples in
                let scratch = Storage(byteCount: (k * p + geo.paddedCount) * MemoryLayout<T>.stride)
                defer { withExtendedLifetime(scratch) {} }
                let cols = scratch.data.assumingMemoryBound(to: T.self), padded = cols + k * p
                for s in samples {
                    for group in 0..<g {
                        let grad = pg + (s * outChannels + group * og) * p
                        let weight = pw + group * og * k
                        if let gx {
                            let target = gx.pointer(T.self) + s * sampleIn + group * groupIn
                            if geo.isPointwise {
                                T.gemm(true, false, k, p, og, 1, weight, k, grad, p, 0, target, p)
                            } else {
                                T.gemm(true, false, k, p, og, 1, weight, k, grad, p, 0, cols, p)
                                geo.fold(cols, into: target, padded: padded)
                            }
                        }
                        if let partials {
                            let input = px + s * sampleIn + group * groupIn
                            if !geo.isPointwise { geo.unfold(input, into: cols, padded: padded) }
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
