import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// What differs between kinds of training run: the data (and what it tells the config:
/// a normalisation, a vocabulary, a scale), how batches are drawn and scored, and the
/// report at the end. Everything else is `TrainingRun`'s.
protocol TrainingTask {
    /// The characters of a text model, which its model file keeps.
    var vocabulary: CharVocabulary? { get }
    /// Optimizer steps the run will take in all (for the learning-rate schedule).
    func totalSteps(_ training: TrainingConfig) -> Int
    /// The trainer of `model` on this data, with its loaders, loss and lengths.
    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training: TrainingConfig) -> Trainer
    /// A line on what trains on what, printed before training.
    func banner(_ model: any Layer) -> String
    /// After training: tests the best weights (`model.safetensors`), writes
    /// `summary.json` and prints what a user wants to see.
    func finish(_ trainer: Trainer, run: RunDirectory, config: RunConfig, started: DispatchTime) throws
}

/// The one path every `ember train` run takes, new or resumed: load and check the data,
/// create and lock the run directory, build the model, optimizer, callbacks and trainer
/// from the config, load a resumed run's checkpoint, and only then write: config.json,
/// then training, then the report. A run that fails before training changes nothing.
enum TrainingRun {
    /// A new run of `config` into `out`, or `runs/NAME-TIME`.
    static func start(_ config: RunConfig, out: String?, name: String) throws {
        try train(config, in: try RunDirectory.vacant(out, defaultName: name), resuming: false, lock: nil)
    }

    /// Continues the run in `path` with its saved configuration (which must be a `kind`
    /// run, when given): `epochs` or `steps` may extend it, and this process logs as
    /// `logging` says.
    static func resume(_ path: String, kind: ModelKind?, epochs: Int?, steps: Int?, logging: LoggingConfig) throws {
        var (run, config, lock, checkpointed) = try RunDirectory.resuming(path)
        if let kind, kind != config.model.kind {
            throw CLIError("\(path) holds a \(config.model.kind.rawValue) run, not a \(kind.rawValue) one")
        }
        if let epochs {
            guard config.training.epochs != nil else { throw CLIError("\(path) counts steps: extend it with --steps, not --epochs") }
            config.training.epochs = epochs
        }
        if let steps {
            guard config.training.steps != nil else { throw CLIError("\(path) counts epochs: extend it with --epochs, not --steps") }
            config.training.steps = steps
        }
        config.logging = logging
        if !checkpointed { print("\(path) stopped before its first checkpoint: starting it over") }
        try train(config, in: run, resuming: checkpointed, lock: lock)
    }

    /// Trains `config` in `run`, from its checkpoint when `resuming`; `lock` is the run
    /// directory's, when already held.
    private static func train(_ config: RunConfig, in run: RunDirectory, resuming: Bool, lock: RunLock?) throws {
        let started = DispatchTime.now()
        var config = config
        setNumThreads(config.training.threads)
        if case .perceptron = config.model {
            let perceptron = try PerceptronRun(config: config, run: run)
            let lock = try lock ?? run.claim(newRun: true)
            try run.removeLeftovers(startingOver: true)
            try run.writeConfig(config)
            try withExtendedLifetime(lock) { try perceptron.run(wallStart: started) }
            return
        }
        let task: any TrainingTask
        switch config.model.kind {
        case .mlp, .cnn: task = try ImageClassification(config: &config, resuming: resuming)
        case .charlm, .gpt, .bert: task = try TextModelling(config: &config, run: run, resuming: resuming)
        case .series: task = try SeriesForecasting(config: &config, resuming: resuming)
        case .recognizer: task = try SpeechRecognition(config: config)
        case .synthesizer: task = try SpeechSynthesis(config: &config, resuming: resuming)
        case .perceptron: preconditionFailure("the perceptron has its own run")
        }
        // The data may have sized the model (its characters): check what it became.
        try config.validate()
        let loggers = try config.logging.callbacks(directory: run.url, title: "\(config.model.kind.rawValue): \(run.url.lastPathComponent)")
        // Only once the data has loaded and fits does the run directory appear.
        let lock = try lock ?? run.claim(newRun: !resuming)

        manualSeed(config.training.seed)
        let model = config.model.build()
        let optimizer = config.optimizer.make(for: model)
        var callbacks: [any Callback] = [ProgressBar(), MetricsLog(url: run.metrics)]
        if let patience = config.training.patience { callbacks.append(EarlyStopping(patience: patience)) }
        callbacks.append(Checkpointing(directory: run.url, metadata: try ModelFile.metadata(config.model, vocabulary: task.vocabulary)))
        callbacks += loggers
        let trainer = task.trainer(model, optimizer: optimizer, callbacks: callbacks, training: config.training)
        config.training.configure(trainer)
        trainer.schedule = config.schedule.make(lr: config.optimizer.lr, totalSteps: task.totalSteps(config.training))
        if resuming {
            let (tensors, _) = try SafeTensors.read(run.checkpoint)
            try trainer.restore(checkpoint: Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }),
                                history: try MetricsLog.records(at: run.metrics, upTo: Int.max))
            let position = config.training.steps.map { "step \(trainer.step) of \($0)" } ?? "epoch \(trainer.epoch) of \(config.training.epochs ?? 0)"
            print("resuming \(run.url.path) after \(position)")
        }
        // The checkpoint has loaded: from here on the run directory changes.
        try run.removeLeftovers(startingOver: !resuming)
        try run.writeConfig(config)
        print(task.banner(model) + "; run directory \(run.url.path)")
        try withExtendedLifetime(lock) {
            do {
                try trainer.fit()
            } catch let error as TrainingError {
                throw CLIError("\(error); \(kept(trainer, run: run))")
            }
            try task.finish(trainer, run: run, config: config, started: started)
        }
    }

    /// What a run that stopped keeps, truthfully: the checkpoint of the last epoch that
    /// ended, if any did.
    private static func kept(_ trainer: Trainer, run: RunDirectory) -> String {
        guard let last = trainer.history.last, FileManager.default.fileExists(atPath: run.checkpoint.path) else {
            return "no checkpoint was written"
        }
        return "\(run.checkpoint.path) of epoch \(last.epoch) (step \(last.step)) is kept, and model.safetensors holds the best weights before it"
    }
}

/// Seconds from `start` to now.
func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

/// Samples (or tokens) a trainer saw per second of training.
func throughput(_ trainer: Trainer, perSample: Int = 1) -> Double {
    Double(trainer.trainSamples * perSample) / Swift.max(trainer.trainSeconds, 1e-9)
}
