import Dispatch
import Ember
import EmberData
import EmberDistributed
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
    /// The trainer of `model` on this data, with its loaders, loss and lengths; in
    /// data-parallel training, on this process's `shard` of each batch.
    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training: TrainingConfig,
                 shard: DataLoader.Shard?) -> Trainer
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
///
/// In data-parallel training (`parallel`), every process loads the data and trains on its
/// shard of each batch; only rank 0 writes the run directory, prints and checkpoints.
enum TrainingRun {
    /// A new run of `config` into `out`, or `runs/NAME-TIME`.
    static func start(_ config: RunConfig, out: String?, name: String, parallel: DataParallel? = nil) throws {
        // Only rank 0 chooses and checks the folder; the others never write one.
        let main = parallel?.group.isMain ?? true
        let run = main ? try RunDirectory.vacant(out, defaultName: name) : RunDirectory(url: URL(fileURLWithPath: out ?? "."))
        try train(config, in: run, resuming: false, lock: nil, parallel: parallel)
    }

    /// Continues the run in `path` with its saved configuration (which must be a `kind`
    /// run, when given): `epochs` or `steps` may extend it, and this process logs as
    /// `logging` says.
    static func resume(_ path: String, kind: ModelKind?, epochs: Int?, steps: Int?, logging: LoggingConfig,
                       parallel: DataParallel? = nil) throws {
        let main = parallel?.group.isMain ?? true
        var (run, config, lock, checkpointed) = try RunDirectory.resuming(path, locking: main)
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
        if !checkpointed && main { print("\(path) stopped before its first checkpoint: starting it over") }
        try train(config, in: run, resuming: checkpointed, lock: lock, parallel: parallel)
    }

    /// Trains `config` in `run`, from its checkpoint when `resuming`; `lock` is the run
    /// directory's, when already held; `parallel` the processes of data-parallel training.
    private static func train(_ config: RunConfig, in run: RunDirectory, resuming: Bool, lock: RunLock?, parallel: DataParallel?) throws {
        let started = DispatchTime.now()
        var config = config
        let group = parallel?.group, main = group?.isMain ?? true
        setNumThreads(config.training.threads)
        if let group, config.training.batchSize % group.size != 0 {
            throw CLIError("--batch-size \(config.training.batchSize) is the global batch: it must split evenly over the \(group.size) processes")
        }
        if case .perceptron = config.model {
            guard group == nil else { throw CLIError("the perceptron learns by Rosenblatt's rule, without gradients to average: train it without --distributed") }
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
        // Only once the data has loaded and fits does the run directory appear (rank 0's).
        var callbacks: [any Callback] = [], lock = lock
        if main {
            let loggers = try config.logging.callbacks(directory: run.url, title: "\(config.model.kind.rawValue): \(run.url.lastPathComponent)")
            lock = try lock ?? run.claim(newRun: !resuming)
            callbacks = [ProgressBar(), MetricsLog(url: run.metrics)]
            if let patience = config.training.patience { callbacks.append(EarlyStopping(patience: patience)) }
            callbacks.append(Checkpointing(directory: run.url, metadata: try ModelFile.metadata(config.model, vocabulary: task.vocabulary)))
            callbacks += loggers
        }

        manualSeed(config.training.seed)
        let model = config.model.build()
        let optimizer = config.optimizer.make(for: model)
        let shard = group.map { DataLoader.Shard(rank: $0.rank, count: $0.size) }
        let trainer = task.trainer(model, optimizer: optimizer, callbacks: callbacks, training: config.training, shard: shard)
        config.training.configure(trainer)
        trainer.schedule = config.schedule.make(lr: config.optimizer.lr, totalSteps: task.totalSteps(config.training))
        if resuming {
            let (tensors, _) = try SafeTensors.read(run.checkpoint)
            try trainer.restore(checkpoint: Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }),
                                history: try MetricsLog.records(at: run.metrics, upTo: Int.max))
            let position = config.training.steps.map { "step \(trainer.step) of \($0)" } ?? "epoch \(trainer.epoch) of \(config.training.epochs ?? 0)"
            if main { print("resuming \(run.url.path) after \(position)") }
        }
        // Rank 0's weights (those of its checkpoint when resuming) and generator everywhere;
        // the trainer keeps no gradient past its step, so they can be the buckets' views.
        let ddp = try parallel.map {
            try DistributedDataParallel(model, communicator: $0.group, overlap: $0.overlap, gradientAsBucketView: true)
        }
        if let ddp, let group {
            trainer.afterBackward = { try ddp.synchronize() }
            trainer.sumAcrossProcesses = { try group.sum($0) }
            trainer.processes = group.size
        }
        guard main else { return try trainer.fit() }
        // The checkpoint has loaded: from here on the run directory changes.
        try run.removeLeftovers(startingOver: !resuming)
        try run.writeConfig(config)
        let processes = group.map { "; \($0.size) processes, \(config.training.batchSize / $0.size) samples each a step" } ?? ""
        print(task.banner(model) + processes + "; run directory \(run.url.path)")
        try withExtendedLifetime(lock) {
            do {
                try trainer.fit()
            } catch let error as TrainingError {
                throw CLIError("\(error); \(kept(trainer, run: run))")
            }
            try task.finish(trainer, run: run, config: config, started: started)
        }
        if let ddp, ddp.communicator.size > 1 {
            print(String(format: "rank 0 waited on gradient averaging %.1f%% of its training time (%.1f s; %@)",
                         100 * ddp.waitSeconds / Swift.max(trainer.trainSeconds, 1e-9), ddp.waitSeconds,
                         ddp.overlap ? "started during backward" : "started after backward, --no-overlap"))
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

/// The training batches of `dataset` for this process: shuffled by the run's seed each
/// epoch (or `samplesPerEpoch` random draws), the global `training.batchSize` split
/// evenly over `shard`'s processes.
func trainingLoader(_ dataset: any Dataset, _ training: TrainingConfig, shard: DataLoader.Shard?, samplesPerEpoch: Int? = nil) -> DataLoader {
    DataLoader(dataset, batchSize: training.batchSize / (shard?.count ?? 1), shuffle: samplesPerEpoch == nil, seed: training.seed,
               samplesPerEpoch: samplesPerEpoch, shard: shard)
}

/// Seconds from `start` to now.
func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

/// Samples (or tokens) a trainer saw per second of training.
func throughput(_ trainer: Trainer, perSample: Int = 1) -> Double {
    Double(trainer.trainSamples * perSample) / Swift.max(trainer.trainSeconds, 1e-9)
}
