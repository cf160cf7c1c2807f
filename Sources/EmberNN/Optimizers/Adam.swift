#if canImport(Glibc)
import Glibc
#endif
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
            let b1 = T(beta1), b2 = T(beta2), eps = T(eps)
            let stepSize = T(lr / correction1), root2 = T(correction2.squareRoot())
            let l2 = decoupled ? 0 : T(weightDecay), shrink = decoupled ? 1 - T(lr * weightDecay) : 1
            var i = 0
            if T.self == Float.self {
                // Eight lanes at a time: the four streams may alias as far as the compiler
                // knows, so it would not vectorise the loop itself.
                typealias V = SIMD8<Float>
                let (pf, gf, mf, vf) = (cast(p), cast(g), cast(m), cast(v))
                let vb1 = V(repeating: Float(beta1)), vb2 = V(repeating: Float(beta2))
                let ve = V(repeating: Float(self.eps)), vstep = V(repeating: Float(lr / correction1))
                let vroot = V(repeating: Float(correction2.squareRoot())), vl2 = V(repeating: Float(decoupled ? 0 : weightDecay))
                let vshrink = V(repeating: Float(decoupled ? 1 - lr * weightDecay : 1))
                while i + 8 <= n {
                    let pi = load(pf + i), d = load(gf + i) + vl2 * pi
                    let mi = vb1 * load(mf + i) + (1 - vb1) * d
                    let vi = vb2 * load(vf + i) + (1 - vb2) * d * d
                    store(mi, mf + i)
                    store(vi, vf + i)
                    store(pi * vshrink - vstep * mi / (vi.squareRoot() / vroot + ve), pf + i)
                    i += 8
                }
            }
            while i < n {
                let d = g[i] + l2 * p[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                p[i] = p[i] * shrink - stepSize * m[i] / (v[i].squareRoot() / root2 + eps)
                i += 1
            }
        }
    }
}

@inline(__always) private func cast<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always) private func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
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
