extension Kernels {
    /// Layer normalisation of each row of `width` elements of contiguous `x`, scaled by
    /// `weight` and shifted by `bias` (each `width` elements, contiguous). Returns the
    /// output and each row's mean and 1/√(var + eps) (`[rows]`), for the backward pass.
    static func layerNorm(_ x: Tensor, width: Int, weight: Tensor, bias: Tensor, eps: Double)
        -> (output: Tensor, mean: Tensor, invstd: Tensor) {
        let rows = x.numel / Swift.max(width, 1)
        let out = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let mean = Tensor(uninitializedShape: [rows], dtype: x.dtype), invstd = Tensor(uninitializedShape: [rows], dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), po = out.pointer(T.self), pm = mean.pointer(T.self), pi = invstd.pointer(T.self)
            let pw = weight.pointer(T.self), pb = bias.pointer(T.self), n = T(width)
            Parallel.forRange(rows, grain: Swift.max(1, 16_384 / Swift.max(width, 1))) { range in
                for r in range {
                    let row = px + r * width
                    let mu = LayerNormRows.sum(row, width) / n
                    let inv = 1 / (LayerNormRows.squaredDeviations(row, mu, width) / n + T(eps)).squareRoot()
                    pm[r] = mu
                    pi[r] = inv
                    LayerNormRows.normalize(row, mu, inv, pw, pb, po + r * width, width)
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (out, mean, invstd)
    }

    /// Gradients of `layerNorm` given the output gradient `gy` (contiguous, x's shape):
    /// with x̂ = (x − mean)·invstd and ĝ = gy·weight,
    /// `dx = invstd (ĝ − mean(ĝ) − x̂ mean(ĝ x̂))` per row, `dweight = Σ gy x̂` and
    /// `dbias = Σ gy` over rows (summed per thread, then together).
    static func layerNormBackward(_ x: Tensor, _ gy: Tensor, width: Int, weight: Tensor, mean: Tensor, invstd: Tensor)
        -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let rows = x.numel / Swift.max(width, 1)
        let gx = Tensor(uninitializedShape: x.shape, dtype: x.dtype)
        let chunks = Parallel.chunkCount(rows, grain: Swift.max(1, 16_384 / Swift.max(width, 1)))
        // Per chunk: the weight gradient's partial sums, then the bias gradient's.
        let partials = Tensor.zeros([chunks, 2, width], dtype: x.dtype)
        func run<T: FloatingElement>(_: T.Type) {
            let px = x.pointer(T.self), pg = gy.pointer(T.self), po = gx.pointer(T.self)
            let pm = mean.pointer(T.self), pi = invstd.pointer(T.self), pw = weight.pointer(T.self), n = T(width)
            Parallel.forChunks(rows, chunks: chunks) { chunk, range in
                let dw = partials.pointer(T.self) + chunk * 2 * width
                for r in range {
                    let row = LayerNormRows.Gradient(x: px + r * width, g: pg + r * width, weight: pw, dweight: dw, dbias: dw + width,
                                                     mean: pm[r], invstd: pi[r])
                    let (sumG, sumGX) = LayerNormRows.accumulate(row, width)
                    LayerNormRows.inputGradient(row, sumG / n, sumGX / n, po + r * width, width)
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        let sums = withNoGrad { partials.sum(dim: 0) }
        return (gx, sums[0], sums[1])
    }
}

/// The passes over one row of a layer norm, each written once over `Lanes`: eight
/// `Float`s at a time, then one element at a time for the rest (and for `Double`).
private enum LayerNormRows {
    /// One row's pointers and statistics for the backward pass.
    struct Gradient<T> {
        let x: UnsafeMutablePointer<T>, g: UnsafeMutablePointer<T>, weight: UnsafeMutablePointer<T>
        let dweight: UnsafeMutablePointer<T>, dbias: UnsafeMutablePointer<T>
        let mean: T, invstd: T
    }

    /// Σ x.
    static func sum<T: FloatingElement>(_ x: UnsafeMutablePointer<T>, _ n: Int) -> T {
        var vector = SIMD8<Float>(), scalar = ScalarLane<T>(repeating: 0)
        forLanes(T.self, n, vector: { j in vector = vector + SIMD8(float(x) + j) },
                 scalar: { j in scalar = scalar + ScalarLane(x + j) })
        return T(vector.total) + scalar.value
    }

    /// Σ (x − mean)².
    static func squaredDeviations<T: FloatingElement>(_ x: UnsafeMutablePointer<T>, _ mean: T, _ n: Int) -> T {
        var vector = SIMD8<Float>(), scalar = ScalarLane<T>(repeating: 0)
        forLanes(T.self, n, vector: { j in vector = vector + deviation(SIMD8(float(x) + j), Float(mean)) },
                 scalar: { j in scalar = scalar + deviation(ScalarLane(x + j), mean) })
        return T(vector.total) + scalar.value
    }

    @inline(__always)
    private static func deviation<L: Lanes>(_ x: L, _ mean: L.Element) -> L {
        let d = x - L(repeating: mean)
        return d * d
    }

    /// out = (x − mean)·invstd·weight + bias.
    static func normalize<T: FloatingElement>(_ x: UnsafeMutablePointer<T>, _ mean: T, _ invstd: T, _ weight: UnsafeMutablePointer<T>,
                                              _ bias: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, _ n: Int) {
        forLanes(T.self, n, vector: { j in
            normalized(SIMD8(float(x) + j), Float(mean), Float(invstd), SIMD8(float(weight) + j), SIMD8(float(bias) + j)).store(float(out) + j)
        }, scalar: { j in
            normalized(ScalarLane(x + j), mean, invstd, ScalarLane(weight + j), ScalarLane(bias + j)).store(out + j)
        })
    }

    @inline(__always)
    private static func normalized<L: Lanes>(_ x: L, _ mean: L.Element, _ invstd: L.Element, _ weight: L, _ bias: L) -> L {
        (x - L(repeating: mean)) * L(repeating: invstd) * weight + bias
    }

    /// Σ ĝ and Σ ĝ x̂ over the row; adds g x̂ to `dweight` and g to `dbias`.
    static func accumulate<T: FloatingElement>(_ row: Gradient<T>, _ n: Int) -> (T, T) {
        var vector = (SIMD8<Float>(), SIMD8<Float>()), scalar = (ScalarLane<T>(repeating: 0), ScalarLane<T>(repeating: 0))
        forLanes(T.self, n, vector: { j in accumulate(SIMD8<Float>.self, unsafeBitCast(row, to: Gradient<Float>.self), j, &vector) },
                 scalar: { j in accumulate(ScalarLane<T>.self, row, j, &scalar) })
        return (T(vector.0.total) + scalar.0.value, T(vector.1.total) + scalar.1.value)
    }

    @inline(__always)
    private static func accumulate<L: Lanes>(_: L.Type, _ row: Gradient<L.Element>, _ j: Int, _ sums: inout (L, L)) {
        let g = L(row.g + j), xhat = (L(row.x + j) - L(repeating: row.mean)) * L(repeating: row.invstd)
        let scaled = g * L(row.weight + j)
        sums.0 = sums.0 + scaled
        sums.1 = sums.1 + scaled * xhat
        (L(row.dweight + j) + g * xhat).store(row.dweight + j)
        (L(row.dbias + j) + g).store(row.dbias + j)
    }

    /// out = invstd (ĝ − meanG − x̂ meanGX).
    static func inputGradient<T: FloatingElement>(_ row: Gradient<T>, _ meanG: T, _ meanGX: T, _ out: UnsafeMutablePointer<T>, _ n: Int) {
        forLanes(T.self, n, vector: { j in
            inputGradient(SIMD8<Float>.self, unsafeBitCast(row, to: Gradient<Float>.self), Float(meanG), Float(meanGX), j).store(float(out) + j)
        }, scalar: { j in
            inputGradient(ScalarLane<T>.self, row, meanG, meanGX, j).store(out + j)
        })
    }

    @inline(__always)
    private static func inputGradient<L: Lanes>(_: L.Type, _ row: Gradient<L.Element>, _ meanG: L.Element, _ meanGX: L.Element,
                                                _ j: Int) -> L {
        let xhat = (L(row.x + j) - L(repeating: row.mean)) * L(repeating: row.invstd)
        let scaled = L(row.g + j) * L(row.weight + j)
        return L(repeating: row.invstd) * (scaled - L(repeating: meanG) - xhat * L(repeating: meanGX))
    }

    /// The same memory as `Float` (only reached when `T` is `Float`).
    @inline(__always)
    private static func float<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
    }
}
