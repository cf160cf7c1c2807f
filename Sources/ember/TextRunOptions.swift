import ArgumentParser

/// The options every step-counted text run shares (`ember train charlm`, `gpt` and
/// `bert`): batches, steps, clipping, validation, seed and threads, the corpus, the run
/// directory and its logs.
struct TextRunOptions: ParsableArguments {
    @Option(help: "Windows per batch.") var batchSize: Int = 32
    @Option(help: "Optimizer steps in all (default: 2000).") var steps: Int?
    @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var clip: Double = 1
    @Option(help: "Steps between validations (and checkpoints).") var evalEvery: Int = 100
    @Option(help: "Random validation batches per evaluation.") var evalBatches: Int = 50
    @Option(help: "Stop after this many evaluations without a better validation loss.") var patience: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2
    @Option(help: "Text file to train on (90% training, 10% validation).") var corpus: String = "data/shakespeare.txt"
    @Option(help: "Run directory to create (default: under runs/, named for the model and the time).") var out: String?
    @Option(help: "Continue the run in this directory from its checkpoint (--steps may extend it).") var resume: String?
    @OptionGroup var logging: LogOptions

    func validate() throws {
        guard batchSize > 0, (steps ?? 1) > 0 else { throw ValidationError("--batch-size and --steps must be positive") }
        guard clip >= 0 else { throw ValidationError("--clip must be non-negative") }
        guard evalEvery > 0, evalBatches > 0 else { throw ValidationError("--eval-every and --eval-batches must be positive") }
        if let patience, patience < 0 { throw ValidationError("--patience must be non-negative") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    /// When `--resume` is given, the run directory and its saved configuration, which
    /// must be a `model` run; `--steps` may extend it. Nil for a new run. Writes nothing.
    func resumedRun<Config: TextRunConfig>(of model: String, as: Config.Type) throws -> (RunDirectory, Config)? {
        guard let resume else { return nil }
        var (run, config) = try RunDirectory.resuming(resume, as: Config.self) { config in
            guard config.model == model else { throw CLIError("\(resume) holds a \(config.model) run, not a \(model) one") }
        }
        if let steps { config.steps = steps }
        return (run, config)
    }
}

/// The saved configuration of a text run, as far as resuming needs it.
protocol TextRunConfig: Codable {
    /// What was trained ("charlm", "gpt", "bert").
    var model: String { get }
    /// Optimizer steps in all.
    var steps: Int { get set }
}
