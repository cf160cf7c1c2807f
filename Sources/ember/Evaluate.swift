import ArgumentParser
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain

/// Options shared by `eval` and `predict`.
struct CheckpointOptions: ParsableArguments {
    @Option(help: "A run directory, or a safetensors file whose metadata names the model.")
    var checkpoint: String

    @Option(help: "Folder of the Fashion-MNIST IDX files.")
    var data: String = FashionMNIST.defaultDirectory

    @Option(help: "Threads for Ember and OpenBLAS.")
    var threads: Int = 2

    func validate() throws {
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
    }

    /// Runs `body` on `threads` threads, reporting any error in one line.
    func reportingErrors(_ body: () throws -> Void) throws {
        setNumThreads(threads)
        try ember.reportingErrors(body)
    }

    /// The Fashion-MNIST classifier the checkpoint holds, and its config.
    func classifier() throws -> (model: any Layer, config: AnyModelConfig) {
        let file = try readModelFile(checkpoint)
        guard [.mlp, .cnn, .perceptron].contains(file.config.kind) else {
            throw CLIError("\(file.url.path) holds a \(file.config.kind.rawValue) model, not a Fashion-MNIST classifier (mlp, cnn or perceptron)")
        }
        return (try file.model(), file.config)
    }
}

/// `ember eval`: a trained model on its task's test data; a Fashion-MNIST classifier
/// unless a subcommand names another task.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a trained model on its test data.",
        subcommands: [EvaluateClassifier.self, EvaluateSpeechDigits.self, EvaluateSpeechTTS.self], defaultSubcommand: EvaluateClassifier.self)
}

/// `ember eval --checkpoint PATH`: test loss and accuracy on Fashion-MNIST's test set.
struct EvaluateClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fashion-mnist", abstract: "Evaluate a trained classifier on the test set.")

    @OptionGroup var options: CheckpointOptions

    func run() throws {
        try options.reportingErrors {
            let (model, config) = try options.classifier()
            let test = try FashionMNIST.load(train: false, directory: options.data)
            if case let .perceptron(classes) = config, let perceptron = model as? Perceptron {
                let labels = test.targets.ints
                let keep = labels.indices.filter { labels[$0] == classes.positiveClass || labels[$0] == classes.negativeClass }
                let batch = test.batch(keep)
                let predicted = withNoGrad { perceptron(batch.inputs.flatten(startDim: 1)).to(.int64) }
                let accuracy = predicted.eq(batch.targets.eq(Double(classes.positiveClass)).to(.int64)).to(.float64).mean().item()
                print(String(format: "perceptron, %@ vs %@: test accuracy %.2f%% on %d images", FashionMNIST.classNames[classes.positiveClass],
                             FashionMNIST.classNames[classes.negativeClass], 100 * accuracy, keep.count))
                return
            }
            let result = Trainer.evaluate(model, DataLoader(test, batchSize: 1000))
            print(String(format: "%@: test loss %.4f, test accuracy %.2f%% on %d images", config.kind.rawValue,
                         result.loss, 100 * (result.accuracy ?? 0), test.count))
        }
    }
}

/// `ember predict --checkpoint PATH --index N`: the class of one test image.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Classify one Fashion-MNIST test image.")

    @OptionGroup var options: CheckpointOptions

    @Option(help: "Index of the test image, 0..<10000.")
    var index: Int

    func run() throws {
        try options.reportingErrors {
            let (model, config) = try options.classifier()
            let test = try FashionMNIST.load(train: false, directory: options.data)
            guard (0..<test.count).contains(index) else { throw CLIError("--index \(index) is outside the test set's 0..<\(test.count)") }
            let sample = test.batch([index])
            let truth = FashionMNIST.classNames[sample.targets.ints[0]]
            if case let .perceptron(classes) = config, let perceptron = model as? Perceptron {
                let positive = withNoGrad { perceptron(sample.inputs.flatten(startDim: 1)).item() } == 1
                let answer = positive ? classes.positiveClass : classes.negativeClass
                print("image \(index) (\(truth)): \(FashionMNIST.classNames[answer]) — a perceptron decides between \(FashionMNIST.classNames[classes.negativeClass]) and \(FashionMNIST.classNames[classes.positiveClass]) only")
                return
            }
            let probabilities = withNoGrad { model(sample.inputs).softmax(dim: 1) }.doubles
            let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
            print("image \(index) (\(truth)): \(FashionMNIST.classNames[ranked[0]])")
            for c in ranked {
                let name = FashionMNIST.classNames[c].padding(toLength: 12, withPad: " ", startingAt: 0)
                print("  " + name + String(format: "%7.2f%%", 100 * probabilities[c]))
            }
        }
    }
}
