#if canImport(Glibc)
import Glibc
#endif
import Ember

/// Scales all gradients together so their global norm is at most `maxNorm` (PyTorch's
/// `clip_grad_norm_`). Returns the norm before clipping.
///
/// As in PyTorch, a non-finite norm is not hidden: a NaN anywhere makes the norm NaN
/// and every gradient NaN, and an infinite norm scales the gradients by zero, so the
/// trainer's NaN guard sees the problem at this step.
@discardableResult
public func clipGradNorm(_ parameters: [Parameter], maxNorm: Double, normType: Double = 2) -> Double {
    precondition(maxNorm > 0 && normType > 0, "clipGradNorm: maxNorm and normType must be positive")
    let grads = parameters.compactMap(\.grad)
    let total: Double = withNoGrad {
        if normType.isInfinite {
            // Tensor `max` propagates NaN, where `Array.max()` would skip it.
            let largest = grads.map { $0.to(.float64).abs().max().item() as Double }
            return largest.isEmpty ? 0 : Tensor(largest).max().item()
        }
        let sum = grads.reduce(0.0) { $0 + $1.to(.float64).abs().pow(normType).sum().item() }
        return pow(sum, 1 / normType)
    }
    let scale = maxNorm / (total + 1e-6)
    if !(scale >= 1) {
        withNoGrad { for g in grads { g *= scale } }
    }
    return total
}

/// Clamps every gradient element to `[-clipValue, clipValue]` (PyTorch's `clip_grad_value_`).
public func clipGradValue(_ parameters: [Parameter], clipValue: Double) {
    precondition(clipValue > 0, "clipGradValue: clipValue must be positive")
    withNoGrad {
        for g in parameters.compactMap(\.grad) { g.copy(from: g.clamp(min: -clipValue, max: clipValue)) }
    }
}
