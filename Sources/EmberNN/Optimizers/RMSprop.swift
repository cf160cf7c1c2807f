import Ember

/// RMSprop (PyTorch's `torch.optim.RMSprop`):
///
///     g ← ∇ + λ p
///     v ← α v + (1 − α) g²
///     a ← √(v − ḡ²) + ε with ḡ ← α ḡ + (1 − α) g when centered, else √v + ε
///     b ← μ b + g / a,  p ← p − lr · b      (with momentum μ > 0)
///     p ← p − lr · g / a                    (without)
public final class RMSprop: Optimizer {
    public let parameters: [Parameter]
    public var lr: Double
    public var state: [[String: Tensor]]
    /// α, the smoothing constant.
    public let alpha: Double
    /// ε.
    public let eps: Double
    /// λ.
    public let weightDecay: Double
    /// μ.
    public let momentum: Double
    /// Whether to normalise by the variance instead of the raw second moment.
    public let centered: Bool

    /// RMSprop over `parameters` with PyTorch's defaults.
    public init(parameters: [Parameter], lr: Double = 0.01, alpha: Double = 0.99, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, centered: Bool = false) {
        precondition(lr >= 0 && alpha >= 0 && eps >= 0 && weightDecay >= 0 && momentum >= 0,
                     "RMSprop: lr, alpha, eps, weightDecay and momentum must be non-negative")
        self.parameters = parameters
        self.lr = lr
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        state = Array(repeating: [:], count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            if state[i].isEmpty {
                state[i]["square_avg"] = zerosLike(p)
                if momentum > 0 { state[i]["momentum_buffer"] = zerosLike(p) }
                if centered { state[i]["grad_avg"] = zerosLike(p) }
            }
            let buffers = ["square_avg", "momentum_buffer", "grad_avg"].compactMap { state[i][$0] }
            Update(lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay, momentum: momentum, centered: centered)
                .run(p, grad: grad, state: buffers)
        }
    }

    private struct Update: ElementwiseUpdate {
        let lr, alpha, eps, weightDecay, momentum: Double
        let centered: Bool

        func apply<T: BinaryFloatingPoint>(_ n: Int, _ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                           _ s: [UnsafeMutablePointer<T>]) {
            let v = s[0]
            let b: UnsafeMutablePointer<T>? = momentum > 0 ? s[1] : nil
            let mean: UnsafeMutablePointer<T>? = centered ? s[s.count - 1] : nil
            let a = T(alpha), lr = T(lr), eps = T(eps), wd = T(weightDecay), mu = T(momentum)
            for i in 0..<n {
                let d = g[i] + wd * p[i]
                v[i] = a * v[i] + (1 - a) * d * d
                var variance = v[i]
                if let mean {
                    mean[i] = a * mean[i] + (1 - a) * d
                    variance -= mean[i] * mean[i]
                }
                let step = d / (variance.squareRoot() + eps)
                if let b {
                    b[i] = mu * b[i] + step
                    p[i] -= lr * b[i]
                } else {
                    p[i] -= lr * step
                }
            }
        }
    }
}
