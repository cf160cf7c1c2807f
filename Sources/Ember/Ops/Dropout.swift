extension Tensor {
    /// Zeroes each element with probability `p` and scales the rest by `1 / (1 − p)`
    /// while `training` (inverted dropout); the identity otherwise.
    public func dropout(p: Double, training: Bool = true, generator: Generator = .default) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got \(p)")
        guard training && p > 0 else { return self }
        if p == 1 { return self * 0.0 }
        let keep = 1 - p, scale = 1 / keep
        let mask = generator.withSource { rng in
            Tensor.generate(shape, dtype: dtype) { _ in rng.uniform() < keep ? scale : 0 }
        }
        return self * mask
    }
}
