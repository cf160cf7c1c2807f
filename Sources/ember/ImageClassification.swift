import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain

/// Final figures of a classifier run; its `summary.json`.
struct ClassifierSummary: Codable {
    var testLoss: Double?
    var testAccuracy: Double
    var valLoss: Double?
    var bestValLoss: Double?
    var epochs: Int
    var steps: Int
    var trainSamplesPerSec: Double
    /// Processes that trained together (data-parallel; 1 alone); the rates are all of theirs.
    var processes: Int
    var wallS: Double
}

/// Classifying Fashion-MNIST (mlp, cnn): the training images, some held out for
/// validation when asked; the test images at the end, with the best weights.
struct ImageClassification: TrainingTask {
    let train: any Dataset
    let validation: (any Dataset)?
    let test: TensorDataset
    let kind: ModelKind

    var vocabulary: CharVocabulary? { nil }

    /// Loads the images and, for a new run that standardises its input, fits the
    /// normalisation to the training images and puts it in the model's config.
    init(config: inout RunConfig, resuming: Bool) throws {
        guard case let .images(directory, valSize, normalize) = config.data else { throw CLIError("a classifier trains on images") }
        let full = try FashionMNIST.load(train: true, directory: directory)
        test = try FashionMNIST.load(train: false, directory: directory)
        guard valSize < full.count else {
            throw CLIError("holding out \(valSize) images for validation (--val-size) leaves none to train on: the training set has \(full.count)")
        }
        if valSize > 0 {
            let split = trainValidationSplit(full, validationCount: valSize, seed: config.training.seed)
            (train, validation) = (split.train, split.validation)
        } else {
            (train, validation) = (full, nil)
        }
        kind = config.model.kind
        // A resumed run keeps the statistics its config.json holds.
        if normalize && !resuming {
            let statistics = InputNormalization(fitting: train)
            switch config.model {
            case var .mlp(c): c.normalization = statistics; config.model = .mlp(c)
            case var .cnn(c): c.normalization = statistics; config.model = .cnn(c)
            default: break
            }
        }
    }

    func totalSteps(_ training: TrainingConfig) -> Int {
        (train.count + training.batchSize - 1) / training.batchSize * (training.epochs ?? 0)
    }

    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training: TrainingConfig,
                 shard: DataLoader.Shard?) -> Trainer {
        Trainer(model: model, optimizer: optimizer, train: trainingLoader(train, training, shard: shard),
                validation: validation.map { DataLoader($0, batchSize: 1000) }, epochs: training.epochs ?? 0, callbacks: callbacks)
    }

    func banner(_ model: any Layer) -> String {
        "training \(kind.rawValue) (\(model.parameterCount) parameters) on \(train.count) images, validating on \(validation?.count ?? 0)"
    }

    func finish(_ trainer: Trainer, run: RunDirectory, config: RunConfig, started: DispatchTime) throws {
        let best = try ModelFile(contentsOf: run.model).model()
        let evaluation = Trainer.evaluate(best, DataLoader(test, batchSize: 1000))
        let summary = ClassifierSummary(
            testLoss: evaluation.loss, testAccuracy: evaluation.accuracy ?? 0,
            valLoss: trainer.history.last?.valLoss, bestValLoss: trainer.history.compactMap(\.valLoss).min(),
            epochs: trainer.epoch, steps: trainer.step, trainSamplesPerSec: throughput(trainer), processes: trainer.processes, wallS: seconds(since: started))
        try run.write(summary, to: run.summary)
        print(String(format: "test accuracy %.2f%%, test loss %.4f, %.0f train samples/s; saved in %@",
                     100 * summary.testAccuracy, evaluation.loss, summary.trainSamplesPerSec, run.url.path))
    }
}
