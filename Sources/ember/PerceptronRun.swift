import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// `ember train perceptron`: Rosenblatt's perceptron on two Fashion-MNIST classes,
/// trained with the perceptron rule one epoch at a time (no optimizer, no training loop:
/// its learning rate is the config's `optimizer.lr`). Its "loss" in the metrics is the
/// fraction of training images it got wrong during the epoch; the best epoch is chosen
/// on a fifth of the held-out count of the two classes' images.
struct PerceptronRun {
    let config: RunConfig
    let model: PerceptronConfig
    let run: RunDirectory
    let train: TensorDataset
    let test: TensorDataset

    /// Loads the images (the run directory is not touched yet).
    init(config: RunConfig, run: RunDirectory) throws {
        guard case let .perceptron(model) = config.model, case let .images(directory, _, _) = config.data else {
            throw CLIError("a perceptron trains on images")
        }
        guard config.logging.tensorboard == nil else {
            throw CLIError("--tensorboard logs the training loop of the other models; the perceptron's rule has none (its curves.svg shows its epochs)")
        }
        self.config = config
        self.model = model
        self.run = run
        train = try FashionMNIST.load(train: true, directory: directory)
        test = try FashionMNIST.load(train: false, directory: directory)
    }

    func run(wallStart: DispatchTime) throws {
        guard case let .images(_, valSize, _) = config.data else { return }
        let (trainX, trainY) = twoClasses(train)
        let (testX, testY) = twoClasses(test)
        manualSeed(config.training.seed)
        let order = Tensor.randperm(trainY.numel).ints
        let validation = Array(order.prefix(Swift.min(valSize / 5, trainY.numel / 5)))
        let fit = Array(order.dropFirst(validation.count))
        let x = trainX.indexSelect(dim: 0, index: Tensor(fit)), y = trainY.indexSelect(dim: 0, index: Tensor(fit))
        let vx = trainX.indexSelect(dim: 0, index: Tensor(validation)), vy = trainY.indexSelect(dim: 0, index: Tensor(validation))
        let perceptron = model.build()
        let metadata = try ModelFile.metadata(config.model)
        let lr = config.optimizer.lr
        print("training a perceptron: \(FashionMNIST.classNames[model.positiveClass]) (1) against \(FashionMNIST.classNames[model.negativeClass]) (0), \(fit.count) images; run directory \(run.url.path)")
        let log = MetricsLog(url: run.metrics)
        var seconds = 0.0, epochs = 0, bestError = Double.infinity
        for epoch in 1...(config.training.epochs ?? 1) {
            let began = DispatchTime.now()
            let mistakes = perceptron.learn(x, y, learningRate: lr, maxEpochs: 1)[0]
            seconds += Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
            epochs = epoch
            let valError = validation.isEmpty ? nil : 1 - accuracy(perceptron, vx, vy)
            let record = EpochRecord(epoch: epoch, step: epoch * fit.count, trainLoss: Double(mistakes) / Double(fit.count),
                                     trainAccuracy: nil, valLoss: valError, valAccuracy: valError.map { 1 - $0 },
                                     lr: lr, samplesPerSec: Double(epoch * fit.count) / seconds,
                                     elapsedS: Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9)
            try log.append(record)
            try CurvesPlot.draw(run.url, title: "perceptron: \(run.url.lastPathComponent)")
            print("epoch \(epoch): \(mistakes) mistakes" + (valError.map { String(format: ", validation accuracy %.2f%%", 100 * (1 - $0)) } ?? ""))
            if (valError ?? 0) < bestError || validation.isEmpty {
                bestError = valError ?? 0
                try SafeTensors.write(perceptron.stateDict(), metadata: metadata, to: run.model)
            }
            if mistakes == 0 { break }
        }
        let (best, _) = try ModelFile(contentsOf: run.model).model(as: PerceptronConfig.self)
        let testAccuracy = accuracy(best, testX, testY)
        let summary = ClassifierSummary(testLoss: nil, testAccuracy: testAccuracy, valLoss: nil,
                                        bestValLoss: bestError.isFinite ? bestError : nil, epochs: epochs, steps: epochs * fit.count,
                                        trainSamplesPerSec: Double(epochs * fit.count) / Swift.max(seconds, 1e-9), processes: 1,
                                        wallS: Double(DispatchTime.now().uptimeNanoseconds - wallStart.uptimeNanoseconds) / 1e9)
        try run.write(summary, to: run.summary)
        print(String(format: "test accuracy %.2f%% on %d test images of the two classes; saved in %@", 100 * testAccuracy, testY.numel, run.url.path))
    }

    /// Flattened images of the two classes and 0/1 labels.
    private func twoClasses(_ data: TensorDataset) -> (Tensor, Tensor) {
        let labels = data.targets.ints
        let keep = labels.indices.filter { labels[$0] == model.positiveClass || labels[$0] == model.negativeClass }
        let batch = data.batch(keep)
        return (batch.inputs.flatten(startDim: 1), batch.targets.eq(Double(model.positiveClass)).to(.int64))
    }

    private func accuracy(_ p: Perceptron, _ x: Tensor, _ y: Tensor) -> Double {
        withNoGrad { p(x).to(.int64).eq(y).to(.float64).mean().item() }
    }
}
