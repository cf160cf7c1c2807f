import Ember

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2
/// weight decay, exactly as PyTorch's `torch.optim.SGD`:
///
///     g ← ∇ + λ p
///     b ← μ b + (1 − τ) g            (b ← g on the first step)
///     g ← g + μ b (Nesterov) or b
///     p ← p − lr · g
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var lr: Double
    public var state: [[String: Tensor]]
    /// μ.
    public let momentum: Double
    /// τ.
    public let dampening: Double
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// λ, the L2 penalty's coefficient.
    public let weightDecay: Double

    /// SGD over `parameters` at learning rate `lr`; no momentum or weight decay unless given.
    public init(parameters: [Parameter], lr: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(lr >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: lr, momentum and weightDecay must be non-negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.parameters = parameters
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        state = Array(repeating: [:], count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            var buffers: [Tensor] = []
            var first = false
            if momentum > 0 {
                if state[i]["momentum_buffer"] == nil {
                    state[i]["momentum_buffer"] = zerosLike(p)
                    first = true
                }
                buffers = [state[i]["momentum_buffer"]!]
            }
            Update(lr: lr, momentum: momentum, dampening: first ? 0 : dampening, weightDecay: weightDecay,
                   nesterov: nesterov, first: first).run(p, grad: grad, state: buffers)
        }
    }

    private struct Update: ElementwiseUpdate {
        let lr, momentum, dampening, weightDecay: Double
        let nesterov, first: Bool

        func apply<T: BinaryFloatingPoint>(_ n: Int, _ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                           _ s: [UnsafeMutablePointer<T>]) {
            let lr = T(lr), mu = T(momentum), keep = 1 - T(dampening), wd = T(weightDecay)
            guard let b = s.first else {
                for i in 0..<n { p[i] -= lr * (g[i] + wd * p[i]) }
                return
            }
            for i in 0..<n {
                let d = g[i] + wd * p[i]
                b[i] = first ? d : mu * b[i] + keep * d
                p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
            }
        }
    }
}
