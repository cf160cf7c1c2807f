/// How the learning rate moves over a run, as a run's `config.json` stores it: constant,
/// a cosine decay or step decays, after an optional linear warm-up.
public struct ScheduleConfig: Codable, Equatable, Sendable {
    /// The shapes after the warm-up.
    public enum Kind: String, ConfigChoice {
        /// The optimizer's rate throughout.
        case constant
        /// Half a cosine from the rate to `finalFraction` of it at the last step.
        case cosine
        /// The rate times `gamma` every `stepSize` steps (PyTorch's `StepLR`).
        case step
    }

    /// The shape.
    public var kind: Kind
    /// Steps of linear warm-up first.
    public var warmup: Int
    /// The cosine's last rate, as a fraction of the first: 0 (PyTorch's
    /// `CosineAnnealingLR`), or 0.1 as nanoGPT.
    public var finalFraction: Double
    /// Step decays: steps between them (after the warm-up); nil for the other shapes.
    public var stepSize: Int?
    /// Step decays: the factor of each (0.1 if nil, as `StepLR`'s default).
    public var gamma: Double?

    /// A configuration; constant, no warm-up, by default.
    public init(kind: Kind = .constant, warmup: Int = 0, finalFraction: Double = 0, stepSize: Int? = nil, gamma: Double? = nil) {
        self.kind = kind
        self.warmup = warmup
        self.finalFraction = finalFraction
        self.stepSize = stepSize
        self.gamma = gamma
    }

    /// Throws naming the first setting no schedule can take.
    public func validate() throws {
        guard warmup >= 0 else { throw ConfigError(keys: ["warmup"], "warmup must be non-negative, got \(warmup)") }
        guard finalFraction >= 0 && finalFraction <= 1 else { throw ConfigError(keys: ["final_fraction"], "final_fraction must be in [0, 1], got \(finalFraction)") }
        guard (kind == .step) == (stepSize != nil) else {
            throw ConfigError(keys: ["step_size"], kind == .step ? "a step schedule needs step_size" : "step_size belongs to the step schedule")
        }
        if let stepSize, stepSize <= 0 { throw ConfigError(keys: ["step_size"], "step_size must be positive, got \(stepSize)") }
        if let gamma {
            guard kind == .step else { throw ConfigError(keys: ["gamma"], "gamma belongs to the step schedule") }
            guard gamma > 0 && gamma <= 1 else { throw ConfigError(keys: ["gamma"], "gamma must be in (0, 1], got \(gamma)") }
        }
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
        case .step:
            let decays = StepLR(lr: lr, stepSize: stepSize ?? 1, gamma: gamma ?? 0.1)
            return warmup > 0 ? LinearWarmup(warmupSteps: warmup, then: decays) : decays
        case .constant:
            return warmup > 0 ? LinearWarmup(warmupSteps: warmup, then: ConstantLR(lr: lr)) : nil
        }
    }
}
