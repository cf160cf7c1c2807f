import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// The options of a character language model run; its `config.json`.
struct CharLMConfig: TextRunConfig {
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
    @Option(help: "Adam learning rate.") var lr: Double = 2e-3
    @OptionGroup var training: TextRunOptions

    func validate() throws {
        guard CharLMSpec.Arch(rawValue: arch) != nil else { throw ValidationError("--arch must be rnn, lstm or gru") }
        guard embed > 0, hidden > 0, layers > 0 else { throw ValidationError("--embed, --hidden and --layers must be positive") }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard seqLen > 0 else { throw ValidationError("--seq-len must be positive") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
    }

    func run() throws {
        try reportingErrors(train)
    }

    private func train() throws {
        let started = DispatchTime.now()
        let (run, config) = try prepare()
        setNumThreads(config.threads)
        let session = try TextRun.open(run, corpus: config.corpus, windowLength: config.seqLen, resuming: training.resume != nil,
                                       config: config, model: "charlm", logging: training.logging) { try CharLMSpec(metadata: $0).vocabulary }
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
        if let resumed = try training.resumedRun(of: "charlm", as: CharLMConfig.self) { return resumed }
        let t = training
        let run = try RunDirectory.vacant(t.out, defaultName: "charlm-\(arch)")
        let config = CharLMConfig(arch: arch, embed: embed, hidden: hidden, layers: layers, dropout: dropout, seqLen: seqLen,
                                  batchSize: t.batchSize, steps: t.steps ?? 2000, lr: lr, clip: t.clip, evalEvery: t.evalEvery,
                                  evalBatches: t.evalBatches, patience: t.patience, seed: t.seed, threads: t.threads, corpus: t.corpus)
        return (run, config)
    }
}
