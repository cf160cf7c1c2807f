import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// Final figures of a spoken-digit run; its `summary.json`: accuracy on the test voices
/// and on the held-out accent, under both protocols.
struct RecognizerSummary: Codable {
    var testClean: Double
    var testHard: Double
    var accentClean: Double
    var accentHard: Double
    var valLoss: Double?
    var bestValLoss: Double?
    var epochs: Int
    var steps: Int
    var trainSamplesPerSec: Double
    /// Processes that trained together (data-parallel; 1 alone); the rates are all of theirs.
    var processes: Int
    var wallS: Double
}

/// How a split of spoken digits is scored: `clean`, each digit at the start of its
/// window with nothing added, or `hard`, at a random offset with a random gain under
/// noise at 0–20 dB SNR. The hard draws are fixed (`seed`), so every model meets the
/// same noisy samples.
enum SpeechProtocol: String, CaseIterable, Codable {
    case clean, hard

    /// The draws of every evaluation under the hard protocol.
    static let seed: UInt64 = 20_261_202

    /// `split` (read with any protocol) under this one.
    func scoring(_ split: SpokenDigits) -> SpokenDigits {
        split.augmented(self == .hard ? SpokenDigits.Augmentation() : nil, seed: Self.seed)
    }

    /// `split` of the corpus in `directory` under this protocol, as `nMels` log-mels.
    func dataset(_ directory: String, split: String, nMels: Int) throws -> SpokenDigits {
        scoring(try SpokenDigits(directory: URL(fileURLWithPath: directory), split: split, nMels: nMels))
    }
}

/// Recognising spoken digits (recognizer): trains on the corpus's training voices
/// augmented as the hard protocol, but with a quarter of the samples left without noise
/// so that clean speech is not new to the model, and each played 0.9–1.1 times as fast
/// so that other voices' pitches and formants are less new (`copies` differently
/// augmented versions of each utterance an epoch); validates on the validation voices under the hard protocol, and at the end
/// scores the best weights on the test voices and the held-out accent, clean and hard.
struct SpeechRecognition: TrainingTask {
    /// Samples of a window: 1.5 s at 16 kHz.
    static let window = 24_000
    /// Its frames, one every 160 samples.
    static let frames = window / 160 + 1

    /// The training samples' augmentation.
    static let augmentation = SpokenDigits.Augmentation(noiseProbability: 0.75, speed: 0.9...1.1)

    let train: SpokenDigits
    let validation: SpokenDigits
    /// The test voices and the held-out accent, read before training so that a broken
    /// corpus stops the run before it starts.
    let test: SpokenDigits, accent: SpokenDigits

    var vocabulary: CharVocabulary? { nil }

    init(config: RunConfig) throws {
        guard case let .speech(directory, copies) = config.data, case let .recognizer(model) = config.model else {
            throw CLIError("a recognizer trains on spoken digits")
        }
        func split(_ name: String) throws -> SpokenDigits {
            try SpokenDigits(directory: URL(fileURLWithPath: directory), split: name, nMels: model.nMels)
        }
        train = try split("train").augmented(Self.augmentation, copies: copies, seed: config.training.seed)
        validation = SpeechProtocol.hard.scoring(try split("validation"))
        (test, accent) = (try split("test"), try split("accent"))
    }

    func totalSteps(_ training: TrainingConfig) -> Int {
        (train.count + training.batchSize - 1) / training.batchSize * (training.epochs ?? 0)
    }

    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training: TrainingConfig,
                 shard: DataLoader.Shard?) -> Trainer {
        Trainer(model: model, optimizer: optimizer, train: trainingLoader(train, training, shard: shard),
                validation: DataLoader(validation, batchSize: 256), epochs: training.epochs ?? 0, callbacks: callbacks)
    }

    func banner(_ model: any Layer) -> String {
        "training a spoken-digit recognizer (\(model.parameterCount) parameters) on \(train.utterances.count) utterances × \(train.copies) augmented copies, validating on \(validation.count) of other voices (hard protocol)"
    }

    func finish(_ trainer: Trainer, run: RunDirectory, config: RunConfig, started: DispatchTime) throws {
        let best = try ModelFile(contentsOf: run.model).model()
        func accuracy(_ split: SpokenDigits, _ scoring: SpeechProtocol) -> Double {
            Trainer.evaluate(best, DataLoader(scoring.scoring(split), batchSize: 256)).accuracy ?? 0
        }
        let summary = RecognizerSummary(
            testClean: accuracy(test, .clean), testHard: accuracy(test, .hard),
            accentClean: accuracy(accent, .clean), accentHard: accuracy(accent, .hard),
            valLoss: trainer.history.last?.valLoss, bestValLoss: trainer.history.compactMap(\.valLoss).min(),
            epochs: trainer.epoch, steps: trainer.step, trainSamplesPerSec: throughput(trainer), processes: trainer.processes, wallS: seconds(since: started))
        try run.write(summary, to: run.summary)
        print(String(format: "test voices: %.2f%% clean, %.2f%% hard; held-out accent: %.2f%% clean, %.2f%% hard; %.0f train samples/s; saved in %@",
                     100 * summary.testClean, 100 * summary.testHard, 100 * summary.accentClean, 100 * summary.accentHard,
                     summary.trainSamplesPerSec, run.url.path))
    }
}
