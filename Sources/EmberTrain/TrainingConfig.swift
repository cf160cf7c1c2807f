import EmberNN

/// How long and in what batches a model trains, as a run's `config.json` stores it:
/// epochs over the data, or (for text models, whose batches are random windows) a
/// number of steps with a validation every `evalEvery` of them.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Epochs over the training data; nil for a step-counted run.
    public var epochs: Int?
    /// Optimizer steps in all; nil for an epoch-counted run.
    public var steps: Int?
    /// Samples (images, windows) per batch.
    public var batchSize: Int
    /// The gradients' global norm is clipped to this; 0 leaves them alone.
    public var clip: Double
    /// L1 penalty coefficient added to the loss.
    public var l1: Double
    /// Stop after this many evaluations without a better validation loss.
    public var patience: Int?
    /// Step-counted runs: steps between validations (and checkpoints), and random
    /// validation batches each time.
    public var evalEvery: Int?, evalBatches: Int?
    /// The seed of the model's initialisation, the shuffling and the dropout.
    public var seed: UInt64
    /// Threads for Ember's loops and products.
    public var threads: Int

    /// An epoch-counted run.
    public init(epochs: Int, batchSize: Int, clip: Double = 0, l1: Double = 0, patience: Int? = nil, seed: UInt64 = 0,
                threads: Int = 2) {
        self.init(epochs: epochs, steps: nil, batchSize: batchSize, clip: clip, l1: l1, patience: patience, evalEvery: nil,
                  evalBatches: nil, seed: seed, threads: threads)
    }

    /// A step-counted run, validated on `evalBatches` random batches every `evalEvery` steps.
    public init(steps: Int, evalEvery: Int, evalBatches: Int, batchSize: Int, clip: Double = 0, l1: Double = 0,
                patience: Int? = nil, seed: UInt64 = 0, threads: Int = 2) {
        self.init(epochs: nil, steps: steps, batchSize: batchSize, clip: clip, l1: l1, patience: patience, evalEvery: evalEvery,
                  evalBatches: evalBatches, seed: seed, threads: threads)
    }

    private init(epochs: Int?, steps: Int?, batchSize: Int, clip: Double, l1: Double, patience: Int?, evalEvery: Int?,
                 evalBatches: Int?, seed: UInt64, threads: Int) {
        self.epochs = epochs
        self.steps = steps
        self.batchSize = batchSize
        self.clip = clip
        self.l1 = l1
        self.patience = patience
        self.evalEvery = evalEvery
        self.evalBatches = evalBatches
        self.seed = seed
        self.threads = threads
    }

    /// Throws naming the first setting a run cannot take (NaN included).
    public func validate() throws {
        switch (epochs, steps, evalEvery, evalBatches) {
        case let (epochs?, nil, nil, nil):
            guard epochs > 0 else { throw ConfigError(keys: ["epochs"], "epochs must be positive, got \(epochs)") }
        case let (nil, steps?, evalEvery?, evalBatches?):
            guard steps > 0, evalEvery > 0, evalBatches > 0 else {
                throw ConfigError(keys: ["steps", "eval_every", "eval_batches"], "steps, eval_every and eval_batches must be positive, got \(steps), \(evalEvery) and \(evalBatches)")
            }
            // The loop counts samples per evaluation span and rounds steps up to spans.
            guard !steps.addingReportingOverflow(evalEvery).overflow, !evalEvery.multipliedReportingOverflow(by: batchSize).overflow,
                  !evalBatches.multipliedReportingOverflow(by: batchSize).overflow else {
                throw ConfigError(keys: ["steps", "eval_every", "eval_batches", "batch_size"], "steps, eval_every, eval_batches and batch_size are too large to count with (\(steps), \(evalEvery), \(evalBatches), \(batchSize))")
            }
        default:
            throw ConfigError("a run counts either epochs, or steps with eval_every and eval_batches")
        }
        guard batchSize > 0 else { throw ConfigError(keys: ["batch_size"], "batch_size must be positive, got \(batchSize)") }
        guard clip >= 0 && clip.isFinite else { throw ConfigError(keys: ["clip"], "clip must be non-negative and finite, got \(clip)") }
        guard l1 >= 0 && l1.isFinite else { throw ConfigError(keys: ["l1"], "l1 must be non-negative and finite, got \(l1)") }
        if let patience, patience < 0 { throw ConfigError(keys: ["patience"], "patience must be non-negative, got \(patience)") }
        guard threads >= 1 && threads <= Self.maxThreads else {
            throw ConfigError(keys: ["threads"], "threads must be from 1 to \(Self.maxThreads), got \(threads)")
        }
    }

    /// The most threads a run may ask for: far more than any machine Ember runs on has
    /// cores, far fewer than would exhaust the process's threads.
    public static let maxThreads = 1024

    /// Sets `trainer`'s clipping and L1 penalty.
    public func configure(_ trainer: Trainer) {
        trainer.clipNorm = clip > 0 ? clip : nil
        trainer.l1 = l1
    }
}
