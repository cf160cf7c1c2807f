#if canImport(Glibc)
import Glibc
#endif
import CEmberMath
import Ember

/// Adam with bias correction (PyTorch's `torch.optim.Adam`, and `AdamW` when the weight
/// decay is decoupled):
///
///     g ← ∇ + λ p                    (Adam's L2 weight decay)
///     p ← p (1 − lr λ)               (AdamW's decoupled weight decay)
///     m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
///     p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
public class Adam: Optimizer {
    public let parameters: [Parameter]
    public var lr: Double
    public var state: [[String: Tensor]]
    /// β₁ and β₂.
    public let betas: (Double, Double)
    /// ε.
    public let eps: Double
    /// λ (the default; a parameter group may set its own).
    public let weightDecay: Double
    /// Each parameter's λ.
    private let decays: [Double]
    private let decoupled: Bool

    /// Adam; `weightDecay` adds λp to the gradient (L2), as PyTorch's Adam.
    public convenience init(parameters: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0) {
        self.init(groups: [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: false)
    }

    /// Adam over parameter groups, each with its own weight decay (nil: `weightDecay`).
    public convenience init(groups: [ParameterGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0) {
        self.init(groups: groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: false)
    }

    init(groups: [ParameterGroup], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double, decoupled: Bool) {
        precondition(lr >= 0 && eps >= 0 && weightDecay >= 0 && groups.allSatisfy { ($0.weightDecay ?? 0) >= 0 },
                     "Adam: lr, eps and weight decays must be non-negative")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: betas must be in [0, 1), got \(betas)")
        parameters = groups.flatMap(\.parameters)
        decays = groups.flatMap { group in group.parameters.map { _ in group.weightDecay ?? weightDecay } }
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        state = Array(repeating: [:], count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            if state[i].isEmpty {
                state[i] = ["step": Tensor(scalar: 0, dtype: .float64), "exp_avg": zerosLike(p), "exp_avg_sq": zerosLike(p)]
            }
            let t = state[i]["step"]!.item() + 1
            state[i]["step"] = Tensor(scalar: t, dtype: .float64)
            Update(lr: lr, beta1: betas.0, beta2: betas.1, eps: eps, weightDecay: decays[i], decoupled: decoupled,
                   correction1: 1 - pow(betas.0, t), correction2: 1 - pow(betas.1, t))
                .run(p, grad: grad, state: [state[i]["exp_avg"]!, state[i]["exp_avg_sq"]!])
        }
    }

    private struct Update: ElementwiseUpdate {
        let lr, beta1, beta2, eps, weightDecay: Double
        let decoupled: Bool
        let correction1, correction2: Double

        func apply<T: BinaryFloatingPoint>(_ n: Int, _ p: UnsafeMutablePointer<T>, _ g: UnsafeMutablePointer<T>,
                                           _ s: [UnsafeMutablePointer<T>]) {
            let m = s[0], v = s[1]
            let stepSize = lr / correction1, root2 = correction2.squareRoot()
            let l2 = decoupled ? 0 : weightDecay, shrink = decoupled ? 1 - lr * weightDecay : 1
            if T.self == Float.self {
                // The C kernel's vectors take sixteen square roots at once; Swift's SIMD
                // types would take them one lane at a time.
                ember_adam_f32(cast(p), cast(g), cast(m), cast(v), n, Float(beta1), Float(beta2), Float(eps),
                               Float(stepSize), Float(root2), Float(l2), Float(shrink))
                return
            }
            let b1 = T(beta1), b2 = T(beta2), eps = T(eps)
            let (stepSizeT, root2T, l2T, shrinkT) = (T(stepSize), T(root2), T(l2), T(shrink))
            for i in 0..<n {
                let d = g[i] + l2T * p[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                p[i] = p[i] * shrinkT - stepSizeT * m[i] / (v[i].squareRoot() / root2T + eps)
            }
        }
    }
}

@inline(__always) private func cast<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

/// Adam with decoupled weight decay (PyTorch's `torch.optim.AdamW`, default λ = 0.01).
public final class AdamW: Adam {
    /// AdamW over `parameters` with PyTorch's defaults.
    public init(parameters: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0.01) {
        super.init(groups: [ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }

    /// AdamW over parameter groups, each with its own weight decay (nil: `weightDecay`),
    /// as PyTorch's param groups; GPT recipes decay only the matrices.
    public init(groups: [ParameterGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0.01) {
        super.init(groups: groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupled: true)
    }
}
