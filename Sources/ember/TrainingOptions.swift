import ArgumentParser
import EmberModels
import EmberNN
import EmberTrain

// The option groups of `ember train`, one per concern, each declared once and reused
// by every command; a recipe `R` gives each flag its default, which its help shows.

extension OptimizerConfig.Kind: ExpressibleByArgument {}
extension RecurrentArch: ExpressibleByArgument {}
extension RecognizerArch: ExpressibleByArgument {}

extension ScheduleConfig.Kind: ExpressibleByArgument {
    /// `none` is accepted for `constant` (the classifiers' first spelling).
    public init?(argument: String) { self.init(rawValue: argument == "none" ? "constant" : argument) }
}

/// The optimizer and its regularisation: `--optimizer`, `--lr`, `--momentum`,
/// `--weight-decay`, `--l1`.
struct OptimizerOptions<R: Recipe>: ParsableArguments {
    @Option(help: "The optimizer.") var optimizer: OptimizerConfig.Kind = R.optimizer.kind
    @Option(help: "Learning rate.") var lr: Double = R.optimizer.lr
    @Option(help: "SGD momentum.") var momentum: Double = R.optimizer.momentum
    @Option(help: "Weight decay (L2 for sgd and adam, decoupled for adamw).") var weightDecay: Double = R.optimizer.weightDecay
    @Option(help: "L1 penalty coefficient added to the loss.") var l1: Double = R.training.l1

    /// The recipe's optimizer with these settings.
    var config: OptimizerConfig {
        var c = R.optimizer
        c.kind = optimizer
        c.lr = lr
        c.momentum = momentum
        c.weightDecay = weightDecay
        return c
    }
}

/// The learning-rate schedule: `--schedule`, `--warmup`, and a step schedule's
/// `--step-size` and `--gamma`.
struct ScheduleOptions<R: Recipe>: ParsableArguments {
    @Option(help: "The learning rate after any warm-up (cosine: per step, to \(R.schedule.finalFraction == 0 ? "0" : "\(R.schedule.finalFraction) × lr") at the end; step: times --gamma every --step-size steps).")
    var schedule: ScheduleConfig.Kind = R.schedule.kind
    @Option(help: "Steps of linear learning-rate warm-up.") var warmup: Int = R.schedule.warmup
    @Option(help: "With --schedule step: steps between decays (required).") var stepSize: Int?
    @Option(help: "With --schedule step: the factor of each decay (default: 0.1).") var gamma: Double?

    /// The recipe's schedule with these settings.
    var config: ScheduleConfig {
        var c = R.schedule
        c.kind = schedule
        c.warmup = warmup
        (c.stepSize, c.gamma) = (stepSize, gamma)
        return c
    }
}

/// How long an epoch-counted run trains: `--epochs`, `--batch-size`, `--clip`,
/// `--patience`.
struct EpochOptions<R: Recipe>: ParsableArguments {
    @Option(help: "Epochs to train (default: \(R.training.epochs ?? 0); with --resume, the new total).") var epochs: Int?
    @Option(help: "Samples per batch.") var batchSize: Int = R.training.batchSize
    @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var clip: Double = R.training.clip
    @Option(help: "Stop after this many epochs without a better validation loss.") var patience: Int?

    /// The recipe's training settings with these, `l1`, `seed` and `threads`.
    func config(l1: Double, seed: UInt64, threads: Int) -> TrainingConfig {
        TrainingConfig(epochs: epochs ?? R.training.epochs ?? 1, batchSize: batchSize, clip: clip, l1: l1, patience: patience,
                       seed: seed, threads: threads)
    }
}

/// How long a step-counted run trains and how it validates: `--steps`, `--batch-size`,
/// `--clip`, `--eval-every`, `--eval-batches`, `--patience`.
struct StepOptions<R: Recipe>: ParsableArguments {
    @Option(help: "Optimizer steps in all (default: \(R.training.steps ?? 0); with --resume, the new total).") var steps: Int?
    @Option(help: "Windows per batch.") var batchSize: Int = R.training.batchSize
    @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var clip: Double = R.training.clip
    @Option(help: "Steps between validations (and checkpoints).") var evalEvery: Int = R.training.evalEvery ?? 100
    @Option(help: "Random validation batches per evaluation.") var evalBatches: Int = R.training.evalBatches ?? 50
    @Option(help: "Stop after this many evaluations without a better validation loss.") var patience: Int?

    /// The recipe's training settings with these, `l1`, `seed` and `threads`.
    func config(l1: Double, seed: UInt64, threads: Int) -> TrainingConfig {
        TrainingConfig(steps: steps ?? R.training.steps ?? 1, evalEvery: evalEvery, evalBatches: evalBatches, batchSize: batchSize,
                       clip: clip, l1: l1, patience: patience, seed: seed, threads: threads)
    }
}

/// Where a run goes and on what: `--seed`, `--threads`, `--out`, `--resume`,
/// `--distributed` and `--[no-]overlap`, and the logging options.
struct RunOptions<R: Recipe>: ParsableArguments {
    @Option(help: "Random seed.") var seed: UInt64 = R.training.seed
    @Option(help: "Threads for Ember and OpenBLAS (each process's, with --distributed).") var threads: Int = R.training.threads
    @OptionGroup var parallel: DistributedOptions
    @Option(help: "Run directory to create (default: runs/\(R.name)-TIME).") var out: String?
    @Option(help: "Continue the run in this directory from its checkpoint, with its saved configuration (--epochs or --steps may extend it, the logging options apply; any other option is refused).")
    var resume: String?
    @OptionGroup var logging: LogOptions

    /// The options among `arguments` (a command line) that `--resume` refuses: all but
    /// `--resume`, the run's new length and the logging options, since the run goes on
    /// with the configuration its config.json saved.
    static func contradictingResume(_ arguments: [String]) -> [String] {
        let honoured: Set = ["--resume", "--epochs", "--steps", "--tensorboard", "--histograms", "--log-every", "--distributed", "--overlap", "--no-overlap", "--help"]
        let options = arguments.filter { $0.hasPrefix("--") && $0.count > 2 }.map { String($0.prefix { $0 != "=" }) }
        return options.filter { !honoured.contains($0) }
    }
}
