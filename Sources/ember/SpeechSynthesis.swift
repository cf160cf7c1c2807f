import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// Final figures of a synthesiser run; its `summary.json`: the loss (mel L1 plus
/// log-duration MSE) on the held-out strings.
struct SynthesizerSummary: Codable {
    var testLoss: Double
    var valLoss: Double?
    var bestValLoss: Double?
    var epochs: Int
    var steps: Int
    var trainSamplesPerSec: Double
    /// Processes that trained together (data-parallel; 1 alone); the rates are all of theirs.
    var processes: Int
    var wallS: Double
}

/// Learning to speak digit strings (synthesizer): the corpus's training strings as
/// phonemes with the teacher's durations and log-mels; validation and test strings are
/// never heard in training. A new run takes its phonemes, lexicon (each single word's
/// phonemes) and closing pauses from the training strings, and the corpus's voice, into
/// the model's config.
struct SpeechSynthesis: TrainingTask {
    /// Most frames one sample may have (about 12 s), for the batch-memory check.
    static let maxFrames = 1_000

    let train: SpokenPhonemes, validation: SpokenPhonemes, test: SpokenPhonemes

    var vocabulary: CharVocabulary? { nil }

    init(config: inout RunConfig, resuming: Bool) throws {
        guard case let .phonemes(directory) = config.data, case var .synthesizer(model) = config.model else {
            throw CLIError("a synthesizer trains on a speech-tts corpus")
        }
        let folder = URL(fileURLWithPath: directory)
        if !resuming {
            let corpus = try SpeechTTS.read(folder.appendingPathComponent("meta.json"))
            (model.phonemes, model.lexicon, model.ending) = try Self.spelling(corpus)
            model.voice = corpus.voice
            config.model = .synthesizer(model)
        }
        func split(_ name: String) throws -> SpokenPhonemes {
            try SpokenPhonemes(directory: folder, split: name, vocabulary: model.phonemes, nMels: model.nMels)
        }
        (train, validation, test) = (try split("train"), try split("validation"), try split("test"))
    }

    /// The training strings' phonemes (sorted), each single word's phonemes, and the
    /// pauses (`_…`) that close every utterance.
    static func spelling(_ corpus: SpeechTTS) throws -> (phonemes: [String], lexicon: [String: [String]], ending: [String]) {
        let training = corpus.utterances.filter { $0.split == "train" }
        let phonemes = Set(training.flatMap(\.phonemes)).sorted()
        var lexicon: [String: [String]] = [:], ending: [String]?
        for u in training where !u.text.contains(" ") {
            let spoken = Array(u.phonemes.reversed().drop { $0.hasPrefix("_") }.reversed())
            let closing = Array(u.phonemes.suffix(u.phonemes.count - spoken.count))
            if ending == nil { ending = closing }
            lexicon[u.text] = spoken
        }
        guard !lexicon.isEmpty else { throw CLIError("the corpus's training strings hold no single word to learn a lexicon from") }
        return (phonemes, lexicon, ending ?? [])
    }

    func totalSteps(_ training: TrainingConfig) -> Int {
        (train.count + training.batchSize - 1) / training.batchSize * (training.epochs ?? 0)
    }

    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training: TrainingConfig,
                 shard: DataLoader.Shard?) -> Trainer {
        let trainer = Trainer(model: model, optimizer: optimizer, train: trainingLoader(train, training, shard: shard),
                              validation: DataLoader(validation, batchSize: 64), epochs: training.epochs ?? 0, callbacks: callbacks)
        if let synthesizer = model as? Synthesizer {
            trainer.objective = { synthesizer.loss(inputs: $0.inputs, targets: $0.targets) }
        }
        return trainer
    }

    func banner(_ model: any Layer) -> String {
        "training a speech synthesizer (\(model.parameterCount) parameters) on \(train.count) digit strings, validating on \(validation.count) unheard ones"
    }

    func finish(_ trainer: Trainer, run: RunDirectory, config: RunConfig, started: DispatchTime) throws {
        let best = try ModelFile(contentsOf: run.model).model()
        guard let synthesizer = best as? Synthesizer else { throw CLIError("\(run.model.path) does not hold a synthesizer") }
        let summary = SynthesizerSummary(
            testLoss: Trainer.evaluate(synthesizer, DataLoader(test, batchSize: 64)) { synthesizer.loss(inputs: $0.inputs, targets: $0.targets) },
            valLoss: trainer.history.last?.valLoss, bestValLoss: trainer.history.compactMap(\.valLoss).min(),
            epochs: trainer.epoch, steps: trainer.step, trainSamplesPerSec: throughput(trainer), processes: trainer.processes, wallS: seconds(since: started))
        try run.write(summary, to: run.summary)
        print(String(format: "test loss %.4f (mel L1 + log-duration MSE) on %d unheard strings, %.0f train samples/s; saved in %@",
                     summary.testLoss, test.count, summary.trainSamplesPerSec, run.url.path))
    }
}
