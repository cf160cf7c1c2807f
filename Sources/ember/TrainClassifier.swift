import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// `ember train mlp|cnn|perceptron` (`ember train classifier ...` in full): trains a
/// classifier on Fashion-MNIST into a run directory. The defaults are the reference
/// recipes: MLP 784-256-128-10 with Adam 1e-3, batch 128, 5 epochs; CNN with Adam
/// 1e-3, batch 64, dropout 0.5, 2 epochs; both on all 60,000 training images (5,000
/// are held out for validation only with `--patience` or `--val-size`), their pixels
/// standardised with the training images' mean and standard deviation.
struct TrainClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train a Fashion-MNIST classifier: mlp, cnn or perceptron (the default kind of `ember train`).")

    @Argument(help: "mlp, cnn or perceptron (omit with --resume).")
    var model: String?

    @Option(help: "Epochs to train (default: mlp 5, cnn 2, perceptron 20).") var epochs: Int?
    @Option(help: "Samples per batch (default: mlp 128, cnn 64).") var batchSize: Int?
    @Option(help: "Learning rate.") var lr: Double = 1e-3
    @Option(help: "sgd, adam or adamw.") var optimizer: String = "adam"
    @Option(help: "SGD momentum.") var momentum: Double = 0.9
    @Option(help: "Weight decay (L2 for sgd and adam, decoupled for adamw).") var weightDecay: Double = 0
    @Option(help: "L1 penalty coefficient added to the loss.") var l1: Double = 0
    @Option(help: "Dropout probability (default: mlp 0, cnn 0.5).") var dropout: Double?
    @Flag(help: "Batch normalisation after each convolution (cnn).") var batchNorm = false
    @Option(help: "Hidden sizes of the MLP, comma-separated.") var hidden: String = "256,128"
    @Option(help: "Stop after this many epochs without a better validation loss.") var patience: Int?
    @Option(help: "Learning-rate schedule: none or cosine (per step, to 0 at the end).") var schedule: String = "none"
    @Option(help: "Clip the gradients' global norm to this.") var clip: Double?
    @Option(help: ArgumentHelp(
        "Training images held out for validation (default: 5000 with --patience and for the perceptron; otherwise none).",
        discussion: "mlp and cnn then train on all 60,000 images, as the reference recipes do; give a count to watch the validation loss."))
    var valSize: Int?
    @Flag(inversion: .prefixedNo, help: "Standardise the input pixels with the training images' mean and standard deviation (mlp, cnn).")
    var normalize = true
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2
    @Option(help: "Folder of the Fashion-MNIST IDX files.") var data: String = FashionMNIST.defaultDirectory
    @Option(help: "Run directory to create (default: runs/MODEL-TIME).") var out: String?
    @Option(help: "Continue the run in this directory from its checkpoint, with its saved options (--epochs may extend it).")
    var resume: String?
    @Option(help: "Perceptron: the class labelled 1.") var positiveClass: Int = 1
    @Option(help: "Perceptron: the class labelled 0.") var negativeClass: Int = 0
    @OptionGroup var logging: LogOptions

    func validate() throws {
        if resume == nil {
            guard let model, ModelSpec.Kind(rawValue: model) != nil else {
                throw ValidationError("name a model to train: mlp, cnn or perceptron (or pass --resume DIR)")
            }
        }
        if let epochs, epochs <= 0 { throw ValidationError("--epochs must be positive") }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard ["sgd", "adam", "adamw"].contains(optimizer) else { throw ValidationError("--optimizer must be sgd, adam or adamw") }
        guard momentum >= 0, weightDecay >= 0, l1 >= 0 else { throw ValidationError("--momentum, --weight-decay and --l1 must be non-negative") }
        if let dropout, !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1)") }
        guard parsedHidden != nil else { throw ValidationError("--hidden must be positive sizes separated by commas, e.g. 256,128") }
        if let patience, patience < 0 { throw ValidationError("--patience must be non-negative") }
        if patience != nil && valSize == 0 { throw ValidationError("--patience needs a validation set: give --val-size a positive count (or leave it out)") }
        if model == "perceptron" && logging.tensorboard != nil {
            throw ValidationError("--tensorboard logs the training loop of mlp and cnn; the perceptron's rule has none (its curves.svg shows its epochs)")
        }
        guard ["none", "cosine"].contains(schedule) else { throw ValidationError("--schedule must be none or cosine") }
        if let clip, clip <= 0 { throw ValidationError("--clip must be positive") }
        if let valSize, !(0..<60_000).contains(valSize) { throw ValidationError("--val-size must be in 0..<60000") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (0...9).contains(positiveClass), (0...9).contains(negativeClass), positiveClass != negativeClass else {
            throw ValidationError("--positive-class and --negative-class must be two different labels 0...9")
        }
    }

    private var parsedHidden: [Int]? {
        let sizes = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return !sizes.isEmpty && sizes.allSatisfy({ ($0 ?? 0) > 0 }) ? sizes.map { $0! } : nil
    }

    func run() throws {
        try reportingErrors(train)
    }

    private func train() throws {
        let wallStart = DispatchTime.now()
        let (run, prepared) = try prepare()
        var config = prepared
        setNumThreads(config.threads)
        let full = try FashionMNIST.load(train: true, directory: config.data)
        let test = try FashionMNIST.load(train: false, directory: config.data)
        guard config.valSize < full.count else {
            throw CLIError("holding out \(config.valSize) images for validation (--val-size) leaves none to train on: the training set has \(full.count)")
        }
        let trainSet: any Dataset, validationSet: (any Dataset)?
        if config.valSize > 0 {
            let split = trainValidationSplit(full, validationCount: config.valSize, seed: config.seed)
            (trainSet, validationSet) = (split.train, split.validation)
        } else {
            (trainSet, validationSet) = (full, nil)
        }
        // A resumed run keeps the statistics its config.json holds.
        if resume == nil && normalize && config.model != "perceptron" {
            config.normalization = InputNormalization(fitting: trainSet)
        }
        // The perceptron's rule runs no training loop for loggers; it draws its curves itself.
        let loggers = config.model == "perceptron" ? [] : try logging.callbacks(run, title: "\(config.model): \(run.url.lastPathComponent)")
        // Only once the data has loaded and fits does the run directory appear (or change).
        try run.create()
        try run.writeConfig(config)
        if config.model == "perceptron" {
            try PerceptronRun(config: config, run: run, train: full, test: test).run(wallStart: wallStart)
            return
        }
        manualSeed(config.seed)
        let spec = config.spec
        let model = spec.build()
        let optimizer = makeOptimizer(config, model.parameters())
        var callbacks: [any Callback] = [ProgressBar(), MetricsLog(url: run.metrics)]
        if let patience = config.patience { callbacks.append(EarlyStopping(patience: patience)) }
        callbacks.append(Checkpointing(directory: run.url, metadata: spec.metadata))
        callbacks += loggers
        let trainer = Trainer(model: model, optimizer: optimizer,
                              train: DataLoader(trainSet, batchSize: config.batchSize, shuffle: true, seed: config.seed),
                              validation: validationSet.map { DataLoader($0, batchSize: 1000) },
                              epochs: config.epochs, callbacks: callbacks)
        trainer.l1 = config.l1
        trainer.clipNorm = config.clip
        if config.schedule == "cosine" {
            let batches = (trainSet.count + config.batchSize - 1) / config.batchSize
            trainer.schedule = CosineAnnealingLR(lr: config.lr, totalSteps: batches * config.epochs)
        }
        if resume != nil {
            let (tensors, _) = try SafeTensors.read(run.checkpoint)
            try trainer.restore(checkpoint: Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) }),
                                history: try MetricsLog.records(at: run.metrics, upTo: Int.max))
            print("resuming \(run.url.path) after epoch \(trainer.epoch) of \(config.epochs)")
        }
        print("training \(config.model) (\(model.parameterCount) parameters) on \(trainSet.count) images, validating on \(validationSet?.count ?? 0); run directory \(run.url.path)")
        try trainer.fit()

        // Test with the best weights (those model.safetensors holds).
        let (best, _) = try loadClassifier(run.model.path)
        let evaluation = Trainer.evaluate(best, DataLoader(test, batchSize: 1000))
        let summary = Summary(
            testLoss: evaluation.loss, testAccuracy: evaluation.accuracy ?? 0,
            valLoss: trainer.history.last?.valLoss, bestValLoss: trainer.history.compactMap(\.valLoss).min(),
            epochs: trainer.epoch, steps: trainer.step,
            trainSamplesPerSec: Double(trainer.trainSamples) / Swift.max(trainer.trainSeconds, 1e-9),
            wallS: Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9)
        try run.write(summary, to: run.summary)
        print(String(format: "test accuracy %.2f%%, test loss %.4f, %.0f train samples/s; saved in %@",
                     100 * summary.testAccuracy, evaluation.loss, summary.trainSamplesPerSec, run.url.path))
    }

    /// The run directory and its configuration: a new one from the options, or the
    /// saved one when resuming (whose epochs `--epochs` may extend). Writes nothing.
    private func prepare() throws -> (RunDirectory, TrainConfig) {
        if let resume {
            var (run, config) = try RunDirectory.resuming(resume, as: TrainConfig.self) { config in
                if let model, model != config.model { throw CLIError("\(resume) holds a \(config.model) run, not \(model)") }
            }
            if let epochs { config.epochs = epochs }
            return (run, config)
        }
        let kind = model!
        let run = try RunDirectory.vacant(out, defaultName: kind)
        let config = TrainConfig(
            model: kind, epochs: epochs ?? ["mlp": 5, "cnn": 2, "perceptron": 20][kind]!,
            batchSize: batchSize ?? (kind == "mlp" ? 128 : 64), lr: lr, optimizer: optimizer, momentum: momentum,
            weightDecay: weightDecay, l1: l1, dropout: dropout ?? (kind == "cnn" ? 0.5 : 0), batchNorm: batchNorm,
            hidden: parsedHidden!, patience: patience, schedule: schedule, clip: clip,
            valSize: valSize ?? (kind == "perceptron" || patience != nil ? 5000 : 0), seed: seed,
            threads: threads, data: data, positiveClass: positiveClass, negativeClass: negativeClass)
        return (run, config)
    }

    private func makeOptimizer(_ config: TrainConfig, _ parameters: [Parameter]) -> any Optimizer {
        switch config.optimizer {
        case "sgd": return SGD(parameters: parameters, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay)
        case "adamw": return AdamW(parameters: parameters, lr: config.lr, weightDecay: config.weightDecay)
        default: return Adam(parameters: parameters, lr: config.lr, weightDecay: config.weightDecay)
        }
    }
}
