/// How the learning rate moves over a run, as a run's `config.json` stores it: constant
/// or a cosine decay, after an optional linear warm-up.
public struct ScheduleConfig: Codable, Equatable, Sendable {
    /// The shapes after the warm-up.
    public enum Kind: String, ConfigChoice {
        /// The optimizer's rate throughout.
        case constant
        /// Half a cosine from the rate to `finalFraction` of it at the last step.
        case cosine
    }

    /// The shape.
    public var kind: Kind
    /// Steps of linear warm-up first.
    public var warmup: Int
    /// The cosine's last rate, as a fraction of the first: 0 (PyTorch's
    /// `CosineAnnealingLR`), or 0.1 as nanoGPT.
    public var finalFraction: Double

    /// A configuration; constant, no warm-up, by default.
    public init(kind: Kind = .constant, warmup: Int = 0, finalFraction: Double = 0) {
        self.kind = kind
        self.warmup = warmup
        self.finalFraction = finalFraction
    }

    /// Throws naming the first setting no schedule can take.
    public func validate() throws {
        guard warmup >= 0 else { throw ConfigError(keys: ["warmup"], "warmup must be non-negative, got \(warmup)") }
        guard finalFraction >= 0 && finalFraction <= 1 else { throw ConfigError(keys: ["final_fraction"], "final_fraction must be in [0, 1], got \(finalFraction)") }
    }

    /// The schedule for a run of `totalSteps` steps from rate `lr`; nil for a constant
    /// rate without warm-up (the optimizer's own).
    public func make(lr: Double, totalSteps: Int) -> (any LearningRateSchedule)? {
        switch kind {
        case .cosine:
            // Divided by the fraction's reciprocal: a fraction of 0.1 gives exactly nanoGPT's
            // lr / 10 (lr · 0.1 differs in the last bit for a third of rates).
            let floor = finalFraction > 0 ? lr / (1 / finalFraction) : 0
            let cosine = CosineAnnealingLR(lr: lr, totalSteps: Swift.max(1, totalSteps - warmup), minLR: floor)
            return warmup > 0 ? LinearWarmup(warmupSteps: warmup, then: cosine) : cosine
        case .constant:
            return warmup > 0 ? LinearWarmup(warmupSteps: warmup, then: ConstantLR(lr: lr)) : nil
        }
    }
}
