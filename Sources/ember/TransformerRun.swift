import ArgumentParser
import Ember
import EmberNN
import Foundation

/// The options `ember train gpt` and `ember train bert` share: the transformer's sizes
/// and the recipe (AdamW, warm-up, schedule, clipping, step-counted validation).
struct TransformerOptions: ParsableArguments {
    @Option(help: "Transformer layers.") var layers: Int = 4
    @Option(help: "Attention heads per layer.") var heads: Int = 4
    @Option(help: "Model width (a multiple of --heads).") var embed: Int = 128
    @Option(help: "Context length in characters (also the training window).") var context: Int = 128
    @Option(help: "AdamW learning rate.") var lr: Double = 1e-3
    @Option(help: "Steps of linear learning-rate warm-up.") var warmup: Int = 0
    @Option(help: "Learning rate after warm-up: constant, or cosine (to 0.1 × lr at the last step).") var schedule: String = "constant"
    @Option(help: "AdamW weight decay of the matrices (not of biases and norms).") var weightDecay: Double = 0.1
    @OptionGroup var training: TextRunOptions

    func validate() throws {
        guard layers > 0, heads > 0, embed > 0, context > 0 else {
            throw ValidationError("--layers, --heads, --embed and --context must be positive")
        }
        guard embed % heads == 0 else { throw ValidationError("--embed \(embed) must be a multiple of --heads \(heads)") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be non-negative") }
        guard ["constant", "cosine"].contains(schedule) else { throw ValidationError("--schedule must be constant or cosine") }
        guard weightDecay >= 0 else { throw ValidationError("--weight-decay must be non-negative") }
    }

    /// The run directory and configuration of `model` ("gpt" or "bert"): new from these
    /// options (with the command's own `dropout` and extras), or the saved ones when
    /// resuming, whose steps `--steps` may extend. Writes nothing.
    func prepare(model: String, dropout: Double, tied: Bool? = nil, maskProbability: Double? = nil)
        throws -> (RunDirectory, TransformerRunConfig) {
        if let resumed = try training.resumedRun(of: model, as: TransformerRunConfig.self) { return resumed }
        let t = training
        let run = try RunDirectory.vacant(t.out, defaultName: model)
        return (run, TransformerRunConfig(model: model, layers: layers, heads: heads, embed: embed, context: context,
                                          dropout: dropout, tied: tied, maskProbability: maskProbability, batchSize: t.batchSize,
                                          steps: t.steps ?? 2000, lr: lr, warmup: warmup, schedule: schedule,
                                          weightDecay: weightDecay, clip: t.clip, evalEvery: t.evalEvery, evalBatches: t.evalBatches,
                                          patience: t.patience, seed: t.seed, threads: t.threads, corpus: t.corpus))
    }
}

/// The options of a GPT or BERT run; its `config.json`.
struct TransformerRunConfig: TextRunConfig {
    var model: String
    var layers: Int
    var heads: Int
    var embed: Int
    var context: Int
    var dropout: Double
    /// GPT: the output layer shares the token embedding.
    var tied: Bool?
    /// BERT: the share of positions masked.
    var maskProbability: Double?
    var batchSize: Int
    var steps: Int
    var lr: Double
    var warmup: Int
    var schedule: String
    var weightDecay: Double
    var clip: Double
    var evalEvery: Int
    var evalBatches: Int
    var patience: Int?
    var seed: UInt64
    var threads: Int
    var corpus: String

    /// AdamW (β 0.9/0.95) decaying the matrices (embeddings and linear weights) only, as
    /// nanoGPT.
    func optimizer(for model: Module) -> AdamW {
        let parameters = model.parameters()
        return AdamW(groups: [ParameterGroup(parameters.filter { $0.ndim >= 2 }, weightDecay: weightDecay),
                              ParameterGroup(parameters.filter { $0.ndim < 2 }, weightDecay: 0)],
                     lr: lr, betas: (0.9, 0.95))
    }

    /// The learning rate per step: a linear warm-up, then constant or a cosine decay to
    /// a tenth of `lr` at the last step (nanoGPT's shape); nil for a constant rate.
    var learningRateSchedule: (any LearningRateSchedule)? {
        if schedule == "cosine" {
            return LinearWarmup(warmupSteps: warmup,
                                then: CosineAnnealingLR(lr: lr, totalSteps: Swift.max(1, steps - warmup), minLR: lr / 10))
        }
        return warmup > 0 ? LinearWarmup(warmupSteps: warmup, then: ConstantLR(lr: lr)) : nil
    }

    /// How the text run trains.
    var fit: TextFit {
        TextFit(windowLength: context, batchSize: batchSize, steps: steps, evalEvery: evalEvery, evalBatches: evalBatches,
                patience: patience, clip: clip, seed: seed)
    }
}
