#if canImport(Glibc)
import Glibc
#endif

extension Tensor {
    /// A tensor holding `values` in row-major order, shaped `shape` (1-D if omitted).
    /// The dtype follows the Swift type: `Float` → float32, `Double` → float64,
    /// `Int64` → int64, `Int32` → int32, `Bool` → bool.
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        precondition(Shape.count(shape) == values.count,
                     "Tensor(_:shape:): \(values.count) values do not fill shape \(OpMessage.format(shape))")
        self.init(uninitializedShape: shape, dtype: T.dtype)
        values.withUnsafeBufferPointer { src in
            pointer(T.self).update(from: src.baseAddress!, count: values.count)
        }
    }

    /// An int64 tensor from Swift `Int`s (indices, labels).
    public convenience init(_ values: [Int], shape: [Int]? = nil) {
        self.init(values.map(Int64.init), shape: shape)
    }

    /// A 0-dimensional tensor holding `value` as `dtype`.
    public convenience init(scalar value: Double, dtype: DType = .float32) {
        self.init(uninitializedShape: [], dtype: dtype)
        fill(self, value)
    }

    /// A tensor of `shape` with every element `value` (PyTorch's `torch.full`).
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        fill(t, value)
        return t
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        memset(t.storage.data, 0, t.numel * dtype.itemSize)
        return t
    }

    /// Ones of `shape`.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor { full(shape, 1, dtype: dtype) }

    /// Zeros shaped and typed as `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }

    /// Ones shaped and typed as `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }

    /// Values `start, start + step, …` below `end` (above it for a negative step), 1-D.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        precondition(step != 0, "arange: step must be non-zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return generate([n], dtype: dtype) { start + Double($0) * step }
    }

    /// Integers `0..<end` as int64, 1-D.
    public static func arange(_ end: Int) -> Tensor { arange(0, Double(end), dtype: .int64) }

    /// `steps` evenly spaced values from `start` to `end` inclusive, 1-D.
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32) -> Tensor {
        precondition(steps >= 0, "linspace: steps must be non-negative, got \(steps)")
        let h = steps > 1 ? (end - start) / Double(steps - 1) : 0
        return generate([steps], dtype: dtype) { i in i == steps - 1 ? end : start + Double(i) * h }
    }

    /// An `n × m` matrix (`m` defaults to `n`) with ones on the diagonal.
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let m = m ?? n
        return generate([n, m], dtype: dtype) { i in i / m == i % m ? 1 : 0 }
    }

    /// Uniform samples in [0, 1).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: Generator = .default) -> Tensor {
        generator.withSource { rng in generate(shape, dtype: dtype) { _ in rng.uniform() } }
    }

    /// Uniform samples in [low, high).
    public static func uniform(_ shape: [Int], low: Double, high: Double, dtype: DType = .float32,
                               generator: Generator = .default) -> Tensor {
        generator.withSource { rng in generate(shape, dtype: dtype) { _ in low + (high - low) * rng.uniform() } }
    }

    /// Standard normal samples (Box–Muller), mean 0 and variance 1.
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator = .default) -> Tensor {
        generator.withSource { rng in
            var spare: Double?
            return generate(shape, dtype: dtype) { _ in
                if let s = spare {
                    spare = nil
                    return s
                }
                let u1 = 1 - rng.uniform(), u2 = rng.uniform()
                let r = (-2 * Glibc.log(u1)).squareRoot()
                spare = r * Glibc.sin(2 * .pi * u2)
                return r * Glibc.cos(2 * .pi * u2)
            }
        }
    }

    /// Integers uniform in `low..<high`, int64 unless told otherwise.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64,
                               generator: Generator = .default) -> Tensor {
        precondition(high > low, "randint: empty range \(low)..<\(high)")
        return generator.withSource { rng in
            generate(shape, dtype: dtype) { _ in Double(low + Int(rng.below(UInt64(high - low)))) }
        }
    }

    /// A contiguous tensor whose element `i` (row-major) is `value(i)`.
    static func generate(_ shape: [Int], dtype: DType, _ value: (Int) -> Double) -> Tensor {
        let t = Tensor(uninitializedShape: shape, dtype: dtype)
        func write<T: TensorElement>(_: T.Type) {
            let p = t.pointer(T.self)
            for i in 0..<t.numel { p[i] = T(fromDouble: value(i)) }
        }
        switch dtype {
        case .float32: write(Float.self)
        case .float64: write(Double.self)
        case .int64: write(Int64.self)
        case .int32: write(Int32.self)
        case .bool: write(Bool.self)
        }
        return t
    }
}

/// Sets every element of the contiguous tensor `t` to `value`.
func fill(_ t: Tensor, _ value: Double) {
    func run<T: TensorElement>(_: T.Type) {
        let p = t.pointer(T.self), v = T(fromDouble: value)
        for i in 0..<t.numel { p[i] = v }
    }
    switch t.dtype {
    case .float32: run(Float.self)
    case .float64: run(Double.self)
    case .int64: run(Int64.self)
    case .int32: run(Int32.self)
    case .bool: run(Bool.self)
    }
}

extension Tensor {
    /// A random permutation of `0..<n` as int64 (PyTorch's `torch.randperm`), by
    /// Fisher–Yates shuffling.
    public static func randperm(_ n: Int, generator: Generator = .default) -> Tensor {
        precondition(n >= 0, "randperm: n must be non-negative, got \(n)")
        var order = Array(Int64(0)..<Int64(n))
        generator.withSource { rng in
            for i in stride(from: n - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.below(UInt64(i + 1))))
            }
        }
        return Tensor(order)
    }
}
