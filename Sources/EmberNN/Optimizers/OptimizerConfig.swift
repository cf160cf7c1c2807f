/// Which optimizer trains a model and with what settings, as a run's `config.json`
/// stores it; PyTorch's defaults unless set.
public struct OptimizerConfig: Codable, Equatable, Sendable {
    /// The optimizers, by the names flags and files use.
    public enum Kind: String, ConfigChoice {
        /// `SGD` with momentum.
        case sgd
        /// `Adam`, weight decay as an L2 term in the gradient.
        case adam
        /// `AdamW`, weight decay decoupled from the gradient.
        case adamw
    }

    /// The optimizer.
    public var kind: Kind
    /// The learning rate.
    public var lr: Double
    /// SGD's momentum.
    public var momentum: Double
    /// Weight decay (L2 for sgd and adam, decoupled for adamw).
    public var weightDecay: Double
    /// Adam's and AdamW's β₁ and β₂.
    public var beta1: Double, beta2: Double
    /// Whether weight decay spares the biases and norms, decaying only the matrices
    /// (embeddings and linear weights), as nanoGPT does.
    public var decayMatricesOnly: Bool

    /// A configuration; the defaults are PyTorch's Adam.
    public init(kind: Kind = .adam, lr: Double = 1e-3, momentum: Double = 0, weightDecay: Double = 0, beta1: Double = 0.9,
                beta2: Double = 0.999, decayMatricesOnly: Bool = false) {
        self.kind = kind
        self.lr = lr
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.decayMatricesOnly = decayMatricesOnly
    }

    /// Throws naming the first setting no optimizer can take (NaN included).
    public func validate() throws {
        guard lr > 0 && lr.isFinite else { throw ConfigError(keys: ["lr"], "lr must be positive and finite, got \(lr)") }
        guard momentum >= 0 && momentum < 1 else { throw ConfigError(keys: ["momentum"], "momentum must be in [0, 1), got \(momentum)") }
        guard weightDecay >= 0 && weightDecay.isFinite else { throw ConfigError(keys: ["weight_decay"], "weight_decay must be non-negative, got \(weightDecay)") }
        guard beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 else {
            throw ConfigError(keys: ["beta1", "beta2"], "beta1 and beta2 must be in [0, 1), got \(beta1) and \(beta2)")
        }
    }

    /// The optimizer over `module`'s parameters (the config must be valid).
    public func make(for module: Module) -> any Optimizer {
        let parameters = module.parameters()
        let groups = decayMatricesOnly
            ? [ParameterGroup(parameters.filter { $0.ndim >= 2 }, weightDecay: weightDecay),
               ParameterGroup(parameters.filter { $0.ndim < 2 }, weightDecay: 0)]
            : [ParameterGroup(parameters)]
        switch kind {
        case .sgd:
            return SGD(parameters: groups.flatMap(\.parameters), lr: lr, momentum: momentum, weightDecay: weightDecay)
        case .adam:
            return Adam(groups: groups, lr: lr, betas: (beta1, beta2), weightDecay: weightDecay)
        case .adamw:
            return AdamW(groups: groups, lr: lr, betas: (beta1, beta2), weightDecay: weightDecay)
        }
    }
}
