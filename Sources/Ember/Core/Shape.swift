/// Shape arithmetic shared by every op: element counts, row-major strides, dimension
/// normalisation and NumPy broadcasting.
enum Shape {
    /// Number of elements of a tensor of this shape (1 for a scalar).
    @inline(__always)
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n &*= d }
        return n
    }

    /// Strides that show the elements of (`shape`, `strides`) in `newShape` without
    /// copying, or nil when no such strides exist (PyTorch's `computeStride`): each run
    /// of dims that is contiguous within itself may be split and merged freely.
    static func viewStrides(shape: [Int], strides: [Int], as newShape: [Int]) -> [Int]? {
        let shape = shape.isEmpty ? [1] : shape, strides = strides.isEmpty ? [1] : strides
        if count(shape) == 0 { return contiguousStrides(newShape) }
        var result = [Int](repeating: 0, count: newShape.count)
        var viewDim = newShape.count - 1
        var chunkStride = strides[strides.count - 1], tensorCount = 1, viewCount = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorCount *= shape[d]
            if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorCount * chunkStride) {
                while viewDim >= 0 && (viewCount < tensorCount || newShape[viewDim] == 1) {
                    result[viewDim] = viewCount * chunkStride
                    viewCount *= newShape[viewDim]
                    viewDim -= 1
                }
                if viewCount != tensorCount { return nil }
                if d > 0 {
                    chunkStride = strides[d - 1]
                    tensorCount = 1
                    viewCount = 1
                }
            }
        }
        return viewDim == -1 ? result : nil
    }

    /// Row-major (C-contiguous) strides for `shape`, in elements.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s &*= shape[i]
        }
        return strides
    }

    /// Turns a possibly negative dimension into an index in `0..<rank`.
    static func normalize(_ dim: Int, rank: Int, op: String) -> Int {
        let d = dim < 0 ? dim + rank : dim
        precondition(d >= 0 && d < Swift.max(rank, 1), OpMessage.badDim(op: op, dim: dim, rank: rank))
        return d
    }

    /// Normalised, sorted, distinct dimensions; an empty list means every dimension.
    static func normalize(_ dims: [Int], rank: Int, op: String) -> [Int] {
        if dims.isEmpty { return Array(0..<rank) }
        let ds = dims.map { normalize($0, rank: rank, op: op) }
        precondition(Set(ds).count == ds.count, "\(op): dimension listed twice in \(dims)")
        return ds.sorted()
    }

    /// The shape two operands broadcast to, NumPy style; `nil` if they do not broadcast.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        if a == b { return a }
        let n = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides that read a tensor of `shape`/`strides` as if expanded to `target`
    /// (0 along broadcast dimensions). `shape` must broadcast to `target`.
    static func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
        let lead = target.count - shape.count
        var out = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[lead + i] == 1 {
            out[lead + i] = shape[i] == 1 ? 0 : strides[i]
        }
        return out
    }
}
