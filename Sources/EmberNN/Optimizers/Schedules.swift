#if canImport(Glibc)
import Glibc
#endif

/// A learning rate as a function of the step (or epoch) count, so a resumed run picks
/// up exactly where it stopped: set `optimizer.lr = schedule.learningRate(at: step)`.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for step `step` (counting from 0).
    func learningRate(at step: Int) -> Double
}

/// The same rate throughout.
public struct ConstantLR: LearningRateSchedule {
    /// The rate.
    public let lr: Double
    /// A schedule that always gives `lr`.
    public init(lr: Double) { self.lr = lr }
    public func learningRate(at step: Int) -> Double { lr }
}

/// `lr · γ^⌊step / stepSize⌋` (PyTorch's `StepLR`).
public struct StepLR: LearningRateSchedule {
    /// Initial rate, steps between decays, and decay factor.
    public let lr: Double, stepSize: Int, gamma: Double
    /// Decays `lr` by `gamma` every `stepSize` steps.
    public init(lr: Double, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive, got \(stepSize)")
        self.lr = lr
        self.stepSize = stepSize
        self.gamma = gamma
    }
    public func learningRate(at step: Int) -> Double { lr * pow(gamma, Double(step / stepSize)) }
}

/// Half a cosine from `lr` down to `minLR` over `totalSteps`, then `minLR` (PyTorch's
/// `CosineAnnealingLR` without restarts).
public struct CosineAnnealingLR: LearningRateSchedule {
    /// Initial rate, length of the decay, and final rate.
    public let lr: Double, totalSteps: Int, minLR: Double
    /// Anneals `lr` to `minLR` over `totalSteps`.
    public init(lr: Double, totalSteps: Int, minLR: Double = 0) {
        precondition(totalSteps > 0, "CosineAnnealingLR: totalSteps must be positive, got \(totalSteps)")
        self.lr = lr
        self.totalSteps = totalSteps
        self.minLR = minLR
    }
    public func learningRate(at step: Int) -> Double {
        let t = Double(Swift.min(step, totalSteps)) / Double(totalSteps)
        return minLR + (lr - minLR) * (1 + cos(Double.pi * t)) / 2
    }
}

/// A linear ramp from `lr / warmupSteps` up to the wrapped schedule's rate over
/// `warmupSteps`, then that schedule (shifted so it starts after the warm-up).
public struct LinearWarmup<Base: LearningRateSchedule>: LearningRateSchedule {
    /// Length of the ramp, and the schedule after it.
    public let warmupSteps: Int, base: Base
    /// Ramps up over `warmupSteps`, then follows `base`.
    public init(warmupSteps: Int, then base: Base) {
        precondition(warmupSteps >= 0, "LinearWarmup: warmupSteps must be non-negative")
        self.warmupSteps = warmupSteps
        self.base = base
    }
    public func learningRate(at step: Int) -> Double {
        if step < warmupSteps { return base.learningRate(at: 0) * Double(step + 1) / Double(warmupSteps) }
        return base.learningRate(at: step - warmupSteps)
    }
}
