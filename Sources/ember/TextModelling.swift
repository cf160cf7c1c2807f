import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// Final figures of a text model run; its `summary.json`.
struct TextModelSummary: Codable {
    var trainLoss: Double?
    var valLoss: Double?
    var bestValLoss: Double?
    var steps: Int
    var trainTokensPerSec: Double
    /// Tokens of one step over the median step's time (this process's steps).
    var medianStepTokensPerSec: Double
    /// Processes that trained together (data-parallel; 1 alone); the rates are all of theirs.
    var processes: Int
    var wallS: Double
}

/// Modelling a text (charlm, gpt, bert): random windows of the first 90% of a corpus,
/// validated on the same random windows of the last 10% at every evaluation; the next
/// character scored at each position, or, for a BERT, the masked ones. Ends with a
/// sample from the best weights.
struct TextModelling: TrainingTask {
    let text: TextCorpus
    let window: Int
    /// The share of characters a BERT masks; nil for the language models.
    let maskProb: Double?
    let model: AnyModelConfig

    var vocabulary: CharVocabulary? { text.vocabulary }

    /// Reads the corpus; a new run's model gets its vocabulary size from it, and a
    /// resumed one must have been trained on the same characters.
    init(config: inout RunConfig, run: RunDirectory, resuming: Bool) throws {
        guard case let .text(corpus, window, maskProb) = config.data else { throw CLIError("a text model trains on text") }
        text = try TextCorpus(path: corpus, hint: "build it with scripts/setup (or scripts/make_corpus)")
        for (name, part) in [("training", text.train), ("validation", text.validation)] where part.shape[0] <= window {
            throw CLIError("\(corpus): its \(name) part has \(part.shape[0]) characters, too few for windows of \(window)")
        }
        self.window = window
        self.maskProb = maskProb
        if resuming {
            let corpusCharacters = text.vocabulary
            if let saved = try ModelFile(contentsOf: run.checkpoint).vocabulary, let difference = saved.difference(from: corpusCharacters) {
                throw CLIError("cannot resume \(run.url.path) on this corpus: \(difference)")
            }
        } else {
            config.model = Self.sized(config.model, characters: text.vocabulary.count)
        }
        model = config.model
    }

    /// `model` reading `characters` characters (a BERT also its mask token); a
    /// synthesiser without phonemes yet gets one placeholder (its corpus gives them).
    static func sized(_ model: AnyModelConfig, characters: Int) -> AnyModelConfig {
        switch model {
        case var .charlm(c): c.vocabSize = characters; return .charlm(c)
        case var .gpt(c): c.vocabSize = characters; return .gpt(c)
        case var .bert(c): c.vocabSize = characters + 1; return .bert(c)
        case var .synthesizer(c) where c.phonemes.isEmpty: c.phonemes = ["_"]; return .synthesizer(c)
        default: return model
        }
    }

    func totalSteps(_ training: TrainingConfig) -> Int { training.steps ?? 0 }

    /// Windows of `tokens`, masked for a BERT (seeded by `seed`).
    private func windows(_ tokens: Tensor, seed: UInt64) -> any Dataset {
        guard let maskProb else { return TokenWindows(tokens, length: window) }
        let characters = text.vocabulary.count
        return MaskedWindows(tokens, length: window, maskToken: characters, randomTokens: characters, maskProbability: maskProb, seed: seed)
    }

    func trainer(_ model: any Layer, optimizer: any Optimizer, callbacks: [any Callback], training t: TrainingConfig,
                 shard: DataLoader.Shard?) -> Trainer {
        let (steps, evalEvery, evalBatches) = (t.steps ?? 0, t.evalEvery ?? 1, t.evalBatches ?? 1)
        let trainer = Trainer(
            model: model, optimizer: optimizer,
            train: trainingLoader(windows(text.train, seed: t.seed), t, shard: shard, samplesPerEpoch: evalEvery * t.batchSize),
            validation: DataLoader(windows(text.validation, seed: 1234), batchSize: t.batchSize, seed: 1234,
                                   samplesPerEpoch: evalBatches * t.batchSize),
            epochs: (steps + evalEvery - 1) / evalEvery, callbacks: callbacks)
        trainer.maxSteps = steps
        trainer.tokensPerSample = window
        let tokens = self.model.kind == .bert ? text.vocabulary.count + 1 : text.vocabulary.count
        let ignored = maskProb == nil ? nil : MaskedWindows.ignoreIndex
        trainer.loss = { logits, targets in
            crossEntropy(logits.reshape([-1, tokens]), targets.reshape([-1]), ignoreIndex: ignored)
        }
        return trainer
    }

    func banner(_ model: any Layer) -> String {
        let size = "\(model.parameterCount) parameters, \(text.vocabulary.count) characters"
        let what: String
        switch self.model {
        case let .charlm(c): what = "char-\(c.arch.rawValue) (\(size))"
        case .bert: what = "a BERT (\(size) and a mask token)"
        default: what = "a GPT (\(size))"
        }
        return "training \(what) on \(text.train.shape[0]) characters, validating on \(text.validation.shape[0])"
    }

    func finish(_ trainer: Trainer, run: RunDirectory, config: RunConfig, started: DispatchTime) throws {
        let tokens = (config.training.batchSize * window)
        let summary = TextModelSummary(
            trainLoss: trainer.history.last?.trainLoss, valLoss: trainer.history.last?.valLoss,
            bestValLoss: trainer.history.compactMap(\.valLoss).min(), steps: trainer.step,
            trainTokensPerSec: throughput(trainer, perSample: window),
            medianStepTokensPerSec: Double(tokens) / Swift.max(median(trainer.stepSeconds), 1e-9),
            processes: trainer.processes, wallS: seconds(since: started))
        try run.write(summary, to: run.summary)
        print(String(format: "validation loss %.4f (best %.4f), %.0f train tokens/s (%.0f from the median step); saved in %@",
                     summary.valLoss ?? .nan, summary.bestValLoss ?? .nan, summary.trainTokensPerSec,
                     summary.medianStepTokensPerSec, run.url.path))
        try sample(ModelFile(contentsOf: run.model), seed: config.training.seed)
    }

    /// A taste of the best weights: 300 characters continuing a new line, or a BERT
    /// filling in every fifth character of a line of Hamlet.
    private func sample(_ file: ModelFile, seed: UInt64) throws {
        let vocabulary = text.vocabulary
        // From a new line, or the first character of a text that has none.
        let start = (try? vocabulary.encode("\n")) ?? [0]
        switch file.config {
        case .charlm:
            let generated = try file.model(as: CharRNNConfig.self).model.generate(prompt: start, count: 300, generator: Generator(seed: seed))
            print("sample from the best weights:\n" + vocabulary.decode(generated))
        case .gpt:
            let generated = try file.model(as: GPTConfig.self).model.generate(prompt: start, count: 300, generator: Generator(seed: seed))
            print("sample from the best weights:\n" + vocabulary.decode(generated))
        case .bert:
            let (bert, _) = try file.model(as: BERTConfig.self)
            let example = String("To be, or not to be, that is the question.".prefix(window))
            guard let tokens = try? vocabulary.encode(example) else { return }
            var masked = tokens
            let maskToken = vocabulary.count
            for i in stride(from: 3, to: masked.count, by: 5) { masked[i] = maskToken }
            for (position, candidates) in bert.fill(masked, maskToken: maskToken) { masked[position] = candidates[0].token }
            print("every fifth character of \"\(example)\" masked and filled in by the best weights:\n" + vocabulary.decode(masked))
        default:
            break
        }
    }
}

/// The middle value of `values` (the mean of the middle two for an even count; 0 if empty).
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted(), mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
