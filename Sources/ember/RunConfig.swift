import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// Everything a training run is, as its `config.json` holds it: the model, the data, the
/// optimizer and schedule, how long and in what batches, and what it logs. Every `ember
/// train` command fills one from its flags; `--resume` reads it back.
struct RunConfig: Codable, Equatable {
    var model: AnyModelConfig
    var data: DataConfig
    var optimizer: OptimizerConfig
    var schedule: ScheduleConfig
    var training: TrainingConfig
    var logging: LoggingConfig

    /// Throws naming the first setting, in any part, that cannot run (a config.json read
    /// back is checked before anything is built from it): what no model takes, and a
    /// model too large to train in this machine's memory.
    func validate() throws {
        try model.validate()
        _ = try model.stateLayout(within: .training)
        try data.validate(for: model)
        try optimizer.validate()
        try schedule.validate()
        try training.validate()
        try logging.validate()
        // A batch's inputs alone must fit in a sixteenth of memory (what the model makes
        // of them is larger still).
        let (batchElements, overflow) = training.batchSize.multipliedReportingOverflow(by: data.sampleElements(for: model))
        guard !overflow, Memory.limit <= 0 || batchElements <= Memory.limit / 16 / 8 else {
            throw ConfigError(keys: ["batch_size"], "batch_size \(training.batchSize) of samples of \(data.sampleElements(for: model)) values is more than this machine's \(Memory.describe(Memory.limit)) of memory can hold")
        }
        let stepCounted = [.charlm, .gpt, .bert].contains(model.kind)
        guard (training.steps != nil) == stepCounted else {
            throw ConfigError("a \(model.kind.rawValue) run counts \(stepCounted ? "steps" : "epochs")")
        }
    }
}

/// What a run trains on; `config.json` names the kind and gives its settings:
/// `{"text": {"corpus": …, "window": 64}}`.
enum DataConfig: Codable, Equatable {
    /// Fashion-MNIST's images: the folder of its IDX files, the training images held out
    /// for validation, and whether the classifier standardises its input.
    case images(directory: String, valSize: Int, normalize: Bool)
    /// A text file, 90% training and 10% validation, read in windows of `window`
    /// characters; a BERT masks a share of them.
    case text(corpus: String, window: Int, maskProb: Double?)
    /// A synthetic noisy sum of sines on a trend (`points` values with `noise`), or the
    /// numbers of a CSV file; 70% training, 15% validation, 15% test.
    case series(points: Int, noise: Double, csv: String?)
    /// A speech-digits corpus (`ember data speech-digits`) as log-mels: its folder, and
    /// how many differently augmented versions of each training utterance an epoch holds.
    case speech(directory: String, copies: Int)
    /// A speech-tts corpus (`ember data speech-tts`): its folder.
    case phonemes(directory: String)

    /// Throws unless the data is the kind `model` reads, with settings it can use.
    func validate(for model: AnyModelConfig) throws {
        switch (self, model) {
        case let (.images(_, valSize, _), .mlp), let (.images(_, valSize, _), .cnn),
             let (.images(_, valSize, _), .perceptron):
            guard valSize >= 0 else { throw ConfigError(keys: ["val_size"], "val_size must be non-negative, got \(valSize)") }
        case let (.text(_, window, nil), .charlm):
            try positiveWindow(window)
        case let (.text(_, window, nil), .gpt(gpt)):
            try positiveWindow(window)
            guard window <= gpt.blockSize else { throw ConfigError(keys: ["window"], "window \(window) is longer than the GPT's context \(gpt.blockSize)") }
        case let (.text(_, window, maskProb?), .bert(bert)):
            try positiveWindow(window)
            guard window <= bert.maxPositions else { throw ConfigError(keys: ["window"], "window \(window) is longer than the BERT's context \(bert.maxPositions)") }
            guard maskProb > 0 && maskProb <= 1 else {
                throw ConfigError(keys: ["mask_prob"], "mask_prob must be in (0, 1], got \(maskProb)")
            }
        case let (.series(points, noise, _), .series):
            guard points > 0, noise >= 0, noise.isFinite else {
                throw ConfigError(keys: ["points", "noise"], "points must be positive and noise non-negative, got \(points) and \(noise)")
            }
            // A series takes a few copies of its values as float64: refuse more than fit.
            let most = Memory.limit > 0 ? Memory.limit / 64 : Int.max
            guard points <= most else {
                throw ConfigError(keys: ["points"], "points \(points) is more than this machine's \(Memory.describe(Memory.limit)) of memory can hold (at most \(most))")
            }
        case (.phonemes, .synthesizer):
            break
        case let (.speech(_, copies), .recognizer):
            guard copies > 0 && copies <= 1000 else { throw ConfigError(keys: ["copies"], "copies must be from 1 to 1000, got \(copies)") }
        default:
            throw ConfigError("a \(model.kind.rawValue) model does not train on this data (\(try ConfigJSON.string(self)))")
        }
    }

    /// Input values of one sample (a window of characters or values, an image, or a
    /// spectrogram; for a synthesiser, its longest target).
    func sampleElements(for model: AnyModelConfig) -> Int {
        switch (self, model) {
        case let (.text(_, window, _), _): return window
        case let (_, .synthesizer(synthesizer)):
            let (elements, overflow) = synthesizer.nMels.multipliedReportingOverflow(by: SpeechSynthesis.maxFrames)
            return overflow ? .max : elements
        case let (_, .recognizer(recognizer)):
            let (elements, overflow) = recognizer.nMels.multipliedReportingOverflow(by: SpeechRecognition.frames)
            return overflow ? .max : elements
        case let (_, .series(forecaster)):
            let (elements, overflow) = forecaster.window.addingReportingOverflow(forecaster.horizon)
            return overflow ? .max : elements
        default: return 28 * 28
        }
    }

    private func positiveWindow(_ window: Int) throws {
        guard window > 0 else { throw ConfigError(keys: ["window"], "window must be positive, got \(window)") }
    }
}
