import Dispatch
import Ember
import EmberData
import EmberNN
import EmberTrain
import Foundation

/// Final figures of a text model run; its `summary.json`.
struct TextRunSummary: Codable {
    var trainLoss: Double
    var valLoss: Double?
    var bestValLoss: Double?
    var steps: Int
    var trainTokensPerSec: Double
    /// Tokens of one step over the median step's time (this process's steps).
    var medianStepTokensPerSec: Double
    var wallS: Double
}

/// How a text model is trained, whatever the model: step-counted, validated on random
/// windows of the held-out text every `evalEvery` steps.
struct TextFit {
    var windowLength: Int
    var batchSize: Int
    var steps: Int
    var evalEvery: Int
    var evalBatches: Int
    var patience: Int?
    var clip: Double
    var seed: UInt64
}

/// A text model run: its directory, corpus, loggers and, when resuming, the checkpoint.
struct TextRun {
    let run: RunDirectory
    let text: TextCorpus
    let checkpoint: ModelFile?
    let loggers: [any Callback]

    /// Reads `corpus` and, when `resuming`, the run's checkpoint, which must have been
    /// trained on the same characters (`vocabulary` reads them from its metadata).
    /// Creates the directory and writes `config`; `logging` gives the loggers, the
    /// curves titled with the `model`'s name. Nothing is written if anything fails.
    static func open<Config: Encodable>(_ run: RunDirectory, corpus: String, windowLength: Int, resuming: Bool,
                                        config: Config, model: String, logging: LogOptions,
                                        vocabulary: ([String: String]) throws -> CharVocabulary) throws -> TextRun {
        let text = try TextCorpus(path: corpus, hint: "build it with scripts/setup (or scripts/make_corpus)")
        for (name, part) in [("training", text.train), ("validation", text.validation)] where part.shape[0] <= windowLength {
            throw CLIError("\(corpus): its \(name) part has \(part.shape[0]) characters, too few for windows of \(windowLength)")
        }
        let checkpoint = try resuming ? readModelFile(run.checkpoint.path) : nil
        if let checkpoint, let difference = try vocabulary(checkpoint.metadata).difference(from: text.vocabulary) {
            throw CLIError("cannot resume \(run.url.path) on this corpus: \(difference)")
        }
        let loggers = try logging.callbacks(run, title: "\(model): \(run.url.lastPathComponent)")
        try run.create()
        try run.writeConfig(config)
        return TextRun(run: run, text: text, checkpoint: checkpoint, loggers: loggers)
    }

    /// Trains `model` on `train`, validating on `validation` (the same random windows at
    /// every evaluation), with checkpoints carrying `metadata`; writes and returns the
    /// summary. `loss` maps logits and targets of a batch to the loss.
    func fit(_ model: any Layer, optimizer: any Optimizer, schedule: (any LearningRateSchedule)? = nil,
             train: any Dataset, validation: any Dataset, metadata: [String: String], settings: TextFit,
             loss: @escaping (Tensor, Tensor) -> Tensor, started: DispatchTime) throws -> TextRunSummary {
        var callbacks: [any Callback] = [ProgressBar(), MetricsLog(url: run.metrics)]
        if let patience = settings.patience { callbacks.append(EarlyStopping(patience: patience)) }
        callbacks.append(Checkpointing(directory: run.url, metadata: metadata))
        callbacks += loggers
        let s = settings
        let trainer = Trainer(
            model: model, optimizer: optimizer,
            train: DataLoader(train, batchSize: s.batchSize, seed: s.seed, samplesPerEpoch: s.evalEvery * s.batchSize),
            validation: DataLoader(validation, batchSize: s.batchSize, seed: 1234, samplesPerEpoch: s.evalBatches * s.batchSize),
            epochs: (s.steps + s.evalEvery - 1) / s.evalEvery, callbacks: callbacks)
        trainer.maxSteps = s.steps
        trainer.schedule = schedule
        trainer.tokensPerSample = s.windowLength
        trainer.clipNorm = s.clip > 0 ? s.clip : nil
        trainer.loss = loss
        if let checkpoint {
            try trainer.restore(checkpoint: checkpoint.tensors, history: try MetricsLog.records(at: run.metrics, upTo: Int.max))
            print("resuming \(run.url.path) after step \(trainer.step) of \(s.steps)")
        }
        try trainer.fit()
        let summary = TextRunSummary(
            trainLoss: trainer.history.last?.trainLoss ?? .nan, valLoss: trainer.history.last?.valLoss,
            bestValLoss: trainer.history.compactMap(\.valLoss).min(), steps: trainer.step,
            trainTokensPerSec: Double(trainer.trainSamples * s.windowLength) / Swift.max(trainer.trainSeconds, 1e-9),
            medianStepTokensPerSec: Double(s.batchSize * s.windowLength) / Swift.max(median(trainer.stepSeconds), 1e-9),
            wallS: Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        try run.write(summary, to: run.summary)
        print(String(format: "validation loss %.4f (best %.4f), %.0f train tokens/s (%.0f from the median step); saved in %@",
                     summary.valLoss ?? .nan, summary.bestValLoss ?? .nan, summary.trainTokensPerSec,
                     summary.medianStepTokensPerSec, run.url.path))
        return summary
    }
}

/// The middle value of `values` (the mean of the middle two for an even count; 0 if empty).
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted(), mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
