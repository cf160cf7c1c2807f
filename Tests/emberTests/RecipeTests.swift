import EmberData
import EmberModels
import EmberNN
import EmberTrain
import XCTest
@testable import ember

/// Every `ember train` command's defaults are the recipe the README and the peer
/// benchmarks document, written out here independently as a table; flags map onto the
/// configuration, and a configuration the flags cannot run names the flag.
final class RecipeTests: XCTestCase {
    private let fashionMNIST = DataConfig.images(directory: "/usr/share/datasets/fashion-mnist", valSize: 0, normalize: true)
    private let adam3 = OptimizerConfig(kind: .adam, lr: 0.001, momentum: 0.9, weightDecay: 0, beta1: 0.9, beta2: 0.999)
    private let nanoGPTOptimizer = OptimizerConfig(kind: .adamw, lr: 0.001, momentum: 0, weightDecay: 0.1, beta1: 0.9, beta2: 0.95,
                                                   decayMatricesOnly: true)
    private let text = "data/shakespeare.txt"

    func testEveryCommandsDefaultsAreTheDocumentedRecipe() throws {
        let table: [(String, RunConfig)] = [
            ("mlp", RunConfig(model: .mlp(MLPConfig(inFeatures: 784, hidden: [256, 128], classes: 10, dropout: 0)), data: fashionMNIST,
                              optimizer: adam3, schedule: ScheduleConfig(kind: .constant, warmup: 0, finalFraction: 0),
                              training: TrainingConfig(epochs: 5, batchSize: 128, clip: 0, l1: 0, seed: 0, threads: 2),
                              logging: LoggingConfig(logEvery: 10))),
            ("cnn", RunConfig(model: .cnn(CNNConfig(classes: 10, dropout: 0.5, batchNorm: false)), data: fashionMNIST, optimizer: adam3,
                              schedule: ScheduleConfig(), training: TrainingConfig(epochs: 2, batchSize: 64), logging: LoggingConfig())),
            ("perceptron", RunConfig(model: .perceptron(PerceptronConfig(inFeatures: 784, positiveClass: 1, negativeClass: 0)),
                                     data: .images(directory: "/usr/share/datasets/fashion-mnist", valSize: 5000, normalize: false),
                                     optimizer: OptimizerConfig(kind: .sgd, lr: 0.001), schedule: ScheduleConfig(),
                                     training: TrainingConfig(epochs: 20, batchSize: 1), logging: LoggingConfig())),
            ("charlm", RunConfig(model: .charlm(CharRNNConfig(arch: .lstm, vocabSize: 0, embed: 64, hidden: 256, layers: 1, dropout: 0)),
                                 data: .text(corpus: text, window: 64, maskProb: nil), optimizer: OptimizerConfig(kind: .adam, lr: 0.002),
                                 schedule: ScheduleConfig(),
                                 training: TrainingConfig(steps: 2000, evalEvery: 100, evalBatches: 50, batchSize: 32, clip: 1),
                                 logging: LoggingConfig())),
            ("gpt", RunConfig(model: .gpt(GPTConfig(vocabSize: 0, blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, bias: true,
                                                    tiedWeights: false)),
                              data: .text(corpus: text, window: 128, maskProb: nil), optimizer: nanoGPTOptimizer,
                              schedule: ScheduleConfig(kind: .constant, warmup: 0, finalFraction: 0.1),
                              training: TrainingConfig(steps: 2000, evalEvery: 100, evalBatches: 50, batchSize: 32, clip: 1),
                              logging: LoggingConfig())),
            ("bert", RunConfig(model: .bert(BERTConfig(vocabSize: 0, maxPositions: 128, layers: 4, heads: 4, embed: 128, dropout: 0.1)),
                               data: .text(corpus: text, window: 128, maskProb: 0.15), optimizer: nanoGPTOptimizer,
                               schedule: ScheduleConfig(kind: .constant, warmup: 0, finalFraction: 0.1),
                               training: TrainingConfig(steps: 2000, evalEvery: 100, evalBatches: 50, batchSize: 32, clip: 1),
                               logging: LoggingConfig())),
            ("series", RunConfig(model: .series(SeriesForecasterConfig(arch: .lstm, hidden: 64, layers: 1, window: 48, horizon: 1, scale: 1)),
                                 data: .series(points: 4000, noise: 0.2, csv: nil), optimizer: OptimizerConfig(kind: .adam, lr: 0.002),
                                 schedule: ScheduleConfig(), training: TrainingConfig(epochs: 15, batchSize: 64, clip: 1),
                                 logging: LoggingConfig())),
        ]
        for (name, expected) in table {
            XCTAssertEqual(try parse(name, []), expected, name)
        }
    }

    /// The configuration `ember train NAME ARGUMENTS…` describes.
    private func parse(_ name: String, _ arguments: [String]) throws -> RunConfig {
        switch name {
        case "mlp": try TrainMLP.parse(arguments).config
        case "cnn": try TrainCNN.parse(arguments).config
        case "perceptron": try TrainPerceptron.parse(arguments).config
        case "charlm": try TrainCharLM.parse(arguments).config
        case "gpt": try TrainGPT.parse(arguments).config
        case "bert": try TrainBERT.parse(arguments).config
        default: try TrainSeries.parse(arguments).config
        }
    }

    func testFlagsReachTheConfiguration() throws {
        let cnn = try parse("cnn", ["--batch-norm", "--dropout", "0.25", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.8",
                                    "--weight-decay", "5e-4", "--l1", "1e-5", "--schedule", "none", "--patience", "2", "--clip", "2",
                                    "--seed", "7", "--threads", "1", "--log-every", "3"])
        XCTAssertEqual(cnn.model, .cnn(CNNConfig(dropout: 0.25, batchNorm: true)))
        XCTAssertEqual(cnn.data, .images(directory: "/usr/share/datasets/fashion-mnist", valSize: 5000, normalize: true),
                       "--patience holds 5,000 images out")
        XCTAssertEqual(cnn.optimizer, OptimizerConfig(kind: .sgd, lr: 0.05, momentum: 0.8, weightDecay: 5e-4))
        XCTAssertEqual(cnn.schedule.kind, .constant, "none is constant's first name")
        XCTAssertEqual(cnn.training, TrainingConfig(epochs: 2, batchSize: 64, clip: 2, l1: 1e-5, patience: 2, seed: 7, threads: 1))
        XCTAssertEqual(cnn.logging.logEvery, 3)

        let gpt = try parse("gpt", ["--layers", "2", "--heads", "2", "--embed", "32", "--context", "16", "--tied", "--dropout", "0.1",
                                    "--steps", "50", "--warmup", "5", "--schedule", "cosine"])
        XCTAssertEqual(gpt.model, .gpt(GPTConfig(vocabSize: 0, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0.1, bias: true,
                                                 tiedWeights: true)))
        XCTAssertEqual(gpt.data, .text(corpus: text, window: 16, maskProb: nil), "the context is the training window")
        XCTAssertEqual(gpt.schedule, ScheduleConfig(kind: .cosine, warmup: 5, finalFraction: 0.1))
        XCTAssertEqual(gpt.training.steps, 50)

        let step = try parse("mlp", ["--schedule", "step", "--step-size", "100", "--gamma", "0.5", "--warmup", "10"])
        XCTAssertEqual(step.schedule, ScheduleConfig(kind: .step, warmup: 10, stepSize: 100, gamma: 0.5))
        let rate = try XCTUnwrap(step.schedule.make(lr: 1, totalSteps: 1000))
        XCTAssertEqual([0, 9, 10, 109, 110, 210].map { rate.learningRate(at: $0) }, [0.1, 1, 1, 1, 0.5, 0.25], "StepLR after the warm-up")
    }

    func testAConfigurationTheFlagsCannotRunNamesTheFlag() {
        func message(_ name: String, _ arguments: [String]) -> String {
            do {
                _ = try parse(name, arguments)
                return "no error"
            } catch {
                return TrainMLP.message(for: error)
            }
        }
        XCTAssertEqual(message("charlm", ["--seq-len", "0"]), "--seq-len must be positive, got 0")
        XCTAssertEqual(message("gpt", ["--embed", "10", "--heads", "4"]), "--embed 10 must be a multiple of --heads 4")
        XCTAssertEqual(message("mlp", ["--hidden", "256,x"]), "--hidden must be positive sizes, got [256, 0]")
        XCTAssertEqual(message("mlp", ["--weight-decay=-1"]), "--weight-decay must be non-negative, got -1.0")
        XCTAssertEqual(message("bert", ["--mask-prob", "0"]), "--mask-prob must be in (0, 1], got 0.0")
        XCTAssertEqual(message("mlp", ["--schedule", "step"]), "a step schedule needs --step-size")
        XCTAssertEqual(message("mlp", ["--step-size", "10"]), "--step-size belongs to the step schedule")
        XCTAssertEqual(message("mlp", ["--schedule", "step", "--step-size", "10", "--gamma", "nan"]), "--gamma must be in (0, 1], got nan")
        XCTAssertEqual(message("series", ["--arch", "rnn"]), "--arch must be lstm or gru (a forecaster uses gated cells), got rnn")
        XCTAssertEqual(message("perceptron", ["--positive-class", "3", "--negative-class", "3"]),
                       "--positive-class 3 and --negative-class 3 must be two different labels")
    }
}
