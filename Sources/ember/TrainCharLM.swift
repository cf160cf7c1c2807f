import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// The options of a character language model run; its `config.json`.
struct CharLMConfig: Codable {
    var model = "charlm"
    var arch: String
    var embed: Int
    var hidden: Int
    var layers: Int
    var dropout: Double
    var seqLen: Int
    var batchSize: Int
    var steps: Int
    var lr: Double
    var clip: Double
    var evalEvery: Int
    var evalBatches: Int
    var patience: Int?
    var seed: UInt64
    var threads: Int
    var corpus: String
}

/// `ember train charlm`: a character-level RNN, LSTM or GRU on the Shakespeare corpus.
/// The defaults are the peer benchmark's recipe: embedding 64, one LSTM layer of 256,
/// sequence 64, batch 32, Adam 2e-3, clip 1.0, 2,000 steps; validation loss over 50
/// random batches of the last 10% of the text every 100 steps.
struct TrainCharLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charlm", abstract: "Train a character-level language model (rnn, lstm or gru) on a text corpus.")

    @Option(help: "Recurrent cell: rnn, lstm or gru.") var arch: String = "lstm"
    @Option(help: "Character embedding width.") var embed: Int = 64
    @Option(help: "Hidden state size.") var hidden: Int = 256
    @Option(help: "Stacked recurrent layers.") var layers: Int = 1
    @Option(help: "Dropout between recurrent layers.") var dropout: Double = 0
    @Option(help: "Characters per training window.") var seqLen: Int = 64
    @Option(help: "Windows per batch.") var batchSize: Int = 32
    @Option(help: "Optimizer steps in all (default: 2000).") var steps: Int?
    @Option(help: "Adam learning rate.") var lr: Double = 2e-3
    @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var clip: Double = 1
    @Option(help: "Steps between validations (and checkpoints).") var evalEvery: Int = 100
    @Option(help: "Random validation batches per evaluation.") var evalBatches: Int = 50
    @Option(help: "Stop after this many evaluations without a better validation loss.") var patience: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2
    @Option(help: "Text file to train on (90% training, 10% validation).") var corpus: String = "data/shakespeare.txt"
    @Option(help: "Run directory to create (default: runs/charlm-ARCH-TIME).") var out: String?
    @Option(help: "Continue the run in this directory from its checkpoint (--steps may extend it).") var resume: String?
    @OptionGroup var logging: LogOptions

    func validate() throws {
        guard CharLMSpec.Arch(rawValue: arch) != nil else { throw ValidationError("--arch must be rnn, lstm or gru") }
        guard embed > 0, hidden > 0, layers > 0 else { throw ValidationError("--embed, --hidden and --layers must be positive") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard seqLen > 0, batchSize > 0, (steps ?? 1) > 0 else { throw ValidationError("--seq-len, --batch-size and --steps must be positive") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard clip >= 0 else { throw ValidationError("--clip must be non-negative") }
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
        let session = try TextRun.open(run, corpus: config.corpus, windowLength: config.seqLen, resuming: resume != nil,
                                       config: config, model: "charlm", logging: logging) { try CharLMSpec(metadata: $0).vocabulary }
        let text = session.text
        let spec = CharLMSpec(arch: CharLMSpec.Arch(rawValue: config.arch)!, vocabulary: text.vocabulary, embed: config.embed,
                              hidden: config.hidden, layers: config.layers, dropout: config.dropout)
        manualSeed(config.seed)
        let model = spec.build()
        print("training char-\(config.arch) (\(model.parameterCount) parameters, \(spec.vocabulary.count) characters) on \(text.train.shape[0]) characters, validating on \(text.validation.shape[0]); run directory \(run.url.path)")
        let vocabularySize = spec.vocabulary.count
        _ = try session.fit(
            model, optimizer: Adam(parameters: model.parameters(), lr: config.lr),
            train: TokenWindows(text.train, length: config.seqLen), validation: TokenWindows(text.validation, length: config.seqLen),
            metadata: spec.metadata,
            settings: TextFit(windowLength: config.seqLen, batchSize: config.batchSize, steps: config.steps, evalEvery: config.evalEvery,
                              evalBatches: config.evalBatches, patience: config.patience, clip: config.clip, seed: config.seed),
            loss: { logits, targets in crossEntropy(logits.reshape([-1, vocabularySize]), targets.reshape([-1])) },
            started: started)
        let (best, _) = try loadModel(run.model.path, as: CharLMSpec.self)
        // From a new line, or the first character of a text that has none.
        let start = (try? spec.vocabulary.encode("\n")) ?? [0]
        let sample = best.generate(prompt: start, count: 300, generator: Generator(seed: config.seed))
        print("sample from the best weights:\n" + spec.vocabulary.decode(sample))
    }

    /// The run directory and its configuration: new from the options, or the saved one
    /// when resuming (whose steps `--steps` may extend). Writes nothing.
    private func prepare() throws -> (RunDirectory, CharLMConfig) {
        if let resume {
            var (run, config) = try RunDirectory.resuming(resume, as: CharLMConfig.self) { config in
                guard config.model == "charlm" else { throw CLIError("\(resume) holds a \(config.model) run, not a charlm one") }
            }
            if let steps { config.steps = steps }
            return (run, config)
        }
        let run = try RunDirectory.vacant(out, defaultName: "charlm-\(arch)")
        let config = CharLMConfig(arch: arch, embed: embed, hidden: hidden, layers: layers, dropout: dropout, seqLen: seqLen,
                                  batchSize: batchSize, steps: steps ?? 2000, lr: lr, clip: clip, evalEvery: evalEvery, evalBatches: evalBatches,
                                  patience: patience, seed: seed, threads: threads, corpus: corpus)
        return (run, config)
    }
}
