import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// The options of a GPT run; its `config.json`.
struct GPTRunConfig: Codable {
    var model = "gpt"
    var layers: Int
    var heads: Int
    var embed: Int
    var context: Int
    var dropout: Double
    var tied: Bool
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
}

/// `ember train gpt`: a character-level GPT on the Shakespeare corpus. The defaults are
/// the peer benchmark's recipe: 4 layers, width 128, 4 heads, context 128, batch 32,
/// AdamW 1e-3 (β 0.9/0.95) with weight decay 0.1 on the matrices only, clip 1.0,
/// constant learning rate, 2,000 steps, untied output layer, no dropout.
struct TrainGPT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt", abstract: "Train a character-level GPT on a text corpus.")

    @Option(help: "Transformer blocks.") var layers: Int = 4
    @Option(help: "Attention heads per block.") var heads: Int = 4
    @Option(help: "Model width (a multiple of --heads).") var embed: Int = 128
    @Option(help: "Context length in characters (also the training window).") var context: Int = 128
    @Option(help: "Dropout after embeddings, on attention weights and on block outputs.") var dropout: Double = 0
    @Flag(help: "Tie the output layer to the token embedding (as nanoGPT).") var tied = false
    @Option(help: "Windows per batch.") var batchSize: Int = 32
    @Option(help: "Optimizer steps in all (default: 2000).") var steps: Int?
    @Option(help: "AdamW learning rate.") var lr: Double = 1e-3
    @Option(help: "Steps of linear learning-rate warm-up.") var warmup: Int = 0
    @Option(help: "Learning rate after warm-up: constant, or cosine (to 0.1 × lr at the last step).") var schedule: String = "constant"
    @Option(help: "AdamW weight decay of the matrices (biases, norms and none else).") var weightDecay: Double = 0.1
    @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var clip: Double = 1
    @Option(help: "Steps between validations (and checkpoints).") var evalEvery: Int = 100
    @Option(help: "Random validation batches per evaluation.") var evalBatches: Int = 50
    @Option(help: "Stop after this many evaluations without a better validation loss.") var patience: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2
    @Option(help: "Text file to train on (90% training, 10% validation).") var corpus: String = "data/shakespeare.txt"
    @Option(help: "Run directory to create (default: runs/gpt-TIME).") var out: String?
    @Option(help: "Continue the run in this directory from its checkpoint (--steps may extend it).") var resume: String?

    func validate() throws {
        guard layers > 0, heads > 0, embed > 0, context > 0 else {
            throw ValidationError("--layers, --heads, --embed and --context must be positive")
        }
        guard embed % heads == 0 else { throw ValidationError("--embed \(embed) must be a multiple of --heads \(heads)") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard batchSize > 0, (steps ?? 1) > 0 else { throw ValidationError("--batch-size and --steps must be positive") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be non-negative") }
        guard ["constant", "cosine"].contains(schedule) else { throw ValidationError("--schedule must be constant or cosine") }
        guard weightDecay >= 0, clip >= 0 else { throw ValidationError("--weight-decay and --clip must be non-negative") }
        guard evalEvery > 0, evalBatches > 0 else { throw ValidationError("--eval-every and --eval-batches must be positive") }
        if let patience, patience < 0 { throw ValidationError("--patience must be non-negative") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        try reportingErrors(train)
    }

    private func train() throws {
        let started = DispatchTime.now()
        let (run, config) = try prepare()
        setNumThreads(config.threads)
        let session = try TextRun.open(run, corpus: config.corpus, windowLength: config.context, resuming: resume != nil,
                                       config: config) { try GPTSpec(metadata: $0).vocabulary }
        let text = session.text
        let spec = GPTSpec(vocabulary: text.vocabulary, layers: config.layers, heads: config.heads, embed: config.embed,
                           context: config.context, dropout: config.dropout, tiedWeights: config.tied)
        manualSeed(config.seed)
        let model = spec.build()
        // Weight decay on matrices only (embeddings and linear weights), as nanoGPT.
        let parameters = model.parameters()
        let optimizer = AdamW(groups: [ParameterGroup(parameters.filter { $0.ndim >= 2 }, weightDecay: config.weightDecay),
                                       ParameterGroup(parameters.filter { $0.ndim < 2 }, weightDecay: 0)],
                              lr: config.lr, betas: (0.9, 0.95))
        print("training a GPT (\(model.parameterCount) parameters, \(spec.vocabulary.count) characters) on \(text.train.shape[0]) characters, validating on \(text.validation.shape[0]); run directory \(run.url.path)")
        let vocabularySize = spec.vocabulary.count
        _ = try session.fit(
            model, optimizer: optimizer, schedule: learningRateSchedule(config),
            train: TokenWindows(text.train, length: config.context), validation: TokenWindows(text.validation, length: config.context),
            metadata: spec.metadata,
            settings: TextFit(windowLength: config.context, batchSize: config.batchSize, steps: config.steps, evalEvery: config.evalEvery,
                              evalBatches: config.evalBatches, patience: config.patience, clip: config.clip, seed: config.seed),
            loss: { logits, targets in crossEntropy(logits.reshape([-1, vocabularySize]), targets.reshape([-1])) },
            started: started)
        let (best, _) = try loadGPT(run.model.path)
        let start = (try? spec.vocabulary.encode("\n")) ?? [0]
        let sample = best.generate(prompt: start, count: 300, generator: Generator(seed: config.seed))
        print("sample from the best weights:\n" + spec.vocabulary.decode(sample))
    }

    /// The learning rate per step: a linear warm-up, then constant or a cosine decay to
    /// a tenth of `lr` at the last step (nanoGPT's shape).
    private func learningRateSchedule(_ config: GPTRunConfig) -> (any LearningRateSchedule)? {
        if config.schedule == "cosine" {
            let decay = CosineAnnealingLR(lr: config.lr, totalSteps: Swift.max(1, config.steps - config.warmup), minLR: config.lr / 10)
            return LinearWarmup(warmupSteps: config.warmup, then: decay)
        }
        return config.warmup > 0 ? LinearWarmup(warmupSteps: config.warmup, then: ConstantLR(lr: config.lr)) : nil
    }

    /// The run directory and its configuration: new from the options, or the saved one
    /// when resuming (whose steps `--steps` may extend). Writes nothing.
    private func prepare() throws -> (RunDirectory, GPTRunConfig) {
        if let resume {
            let run = RunDirectory(url: URL(fileURLWithPath: resume))
            var config = try run.read(GPTRunConfig.self, from: run.config)
            guard config.model == "gpt" else { throw CLIError("\(resume) holds a \(config.model) run, not a gpt one") }
            guard FileManager.default.fileExists(atPath: run.checkpoint.path) else {
                throw CLIError("\(resume) has no checkpoint.safetensors to resume from")
            }
            if let steps { config.steps = steps }
            return (run, config)
        }
        let run = try RunDirectory.vacant(out, defaultName: "gpt")
        let config = GPTRunConfig(layers: layers, heads: heads, embed: embed, context: context, dropout: dropout, tied: tied,
                                  batchSize: batchSize, steps: steps ?? 2000, lr: lr, warmup: warmup, schedule: schedule,
                                  weightDecay: weightDecay, clip: clip, evalEvery: evalEvery, evalBatches: evalBatches,
                                  patience: patience, seed: seed, threads: threads, corpus: corpus)
        return (run, config)
    }
}

/// A trained GPT and its spec, from a run directory or a safetensors file whose
/// `__metadata__` describes it.
func loadGPT(_ path: String) throws -> (model: GPT, spec: GPTSpec) {
    let (file, tensors, metadata) = try readModelFile(path)
    let spec = try GPTSpec(metadata: metadata)
    let model = spec.build()
    do {
        try model.loadStateDict(tensors)
    } catch {
        let c = spec.config
        throw CLIError("\(file.path) does not fit the model its metadata describes (\(spec.vocabulary.count) characters, \(c.nLayer) layers, \(c.nHead) heads, width \(c.nEmbd), context \(c.blockSize)): \(error)")
    }
    model.eval()
    return (model, spec)
}
