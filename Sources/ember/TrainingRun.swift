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

/// The one path every `ember train` run takes, new or resumed: load and check the data
/// (nothing is written if it fails), create the run directory and its config.json, build
/// the model, optimizer, callbacks and trainer from the config, train, report.
enum TrainingRun {
    /// A new run of `config` into `out`, or `runs/NAME-TIME`.
    static func start(_ config: RunConfig, out: String?, name: String) throws {
        try train(config, in: try RunDirectory.vacant(out, defaultName: name), resuming: false)
    }

    /// Continues the run in `path` with its saved configuration (which must be a `kind`
    /// run, when given): `epochs` or `steps` may extend it, and this process logs as
    /// `logging` says.
    static func resume(_ path: String, kind: ModelKind?, epochs: Int?, steps: Int?, logging: LoggingConfig) throws {
        var (run, config) = try RunDirectory.resuming(path)
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
        try train(config, in: run, resuming: true)
    }

    private static func train(_ config: RunConfig, in run: RunDirectory, resuming: Bool) throws {
        let started = DispatchTime.now()
        var config = config
        setNumThreads(config.training.threads)
        if case .perceptron = config.model {
            let perceptron = try PerceptronRun(config: config, run: run)
            try run.create()
            try run.writeConfig(config)
            try perceptron.run(wallStart: started)
            return
        }
        let task: any TrainingTask
        switch config.model.kind {
        case .mlp, .cnn: task = try ImageClassification(config: &config, resuming: resuming)
        case .charlm, .gpt, .bert: task = try TextModelling(config: &config, run: run, resuming: resuming)
        case .series: task = try SeriesForecasting(config: &config, resuming: resuming)
        case .perceptron: preconditionFailure("the perceptron has its own run")
        }
        let loggers = try config.logging.callbacks(directory: run.url, title: "\(config.model.kind.rawValue): \(run.url.lastPathComponent)")
        // Only once the data has loaded and fits does the run directory appear (or change).
        try run.create()
        try run.writeConfig(config)

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
        print(task.banner(model) + "; run directory \(run.url.path)")
        try trainer.fit()
        try task.finish(trainer, run: run, config: config, started: started)
    }
}

/// Seconds from `start` to now.
func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

/// Samples (or tokens) a trainer saw per second of training.
func throughput(_ trainer: Trainer, perSample: Int = 1) -> Double {
    Double(trainer.trainSamples * perSample) / Swift.max(trainer.trainSeconds, 1e-9)
}
