import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation

/// `ember train gpt`: a character-level GPT on the Shakespeare corpus. The defaults are
/// the peer benchmark's recipe: 4 layers, width 128, 4 heads, context 128, batch 32,
/// AdamW 1e-3 (β 0.9/0.95) with weight decay 0.1 on the matrices only, clip 1.0,
/// constant learning rate, 2,000 steps, untied output layer, no dropout.
struct TrainGPT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpt", abstract: "Train a character-level GPT on a text corpus.")

    @OptionGroup var options: TransformerOptions
    @Option(help: "Dropout after embeddings, on attention weights and on block outputs.") var dropout: Double = 0
    @Flag(help: "Tie the output layer to the token embedding (as nanoGPT).") var tied = false

    func validate() throws {
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
    }

    func run() throws {
        try reportingErrors(train)
    }

    private func train() throws {
        let started = DispatchTime.now()
        let (run, config) = try options.prepare(model: "gpt", dropout: dropout, tied: tied)
        setNumThreads(config.threads)
        let session = try TextRun.open(run, corpus: config.corpus, windowLength: config.context, resuming: options.training.resume != nil,
                                       config: config, model: "gpt", logging: options.training.logging) { try GPTSpec(metadata: $0).vocabulary }
        let text = session.text
        let spec = GPTSpec(vocabulary: text.vocabulary, layers: config.layers, heads: config.heads, embed: config.embed,
                           context: config.context, dropout: config.dropout, tiedWeights: config.tied ?? false)
        manualSeed(config.seed)
        let model = spec.build()
        print("training a GPT (\(model.parameterCount) parameters, \(spec.vocabulary.count) characters) on \(text.train.shape[0]) characters, validating on \(text.validation.shape[0]); run directory \(run.url.path)")
        let vocabularySize = spec.vocabulary.count
        _ = try session.fit(
            model, optimizer: config.optimizer(for: model), schedule: config.learningRateSchedule,
            train: TokenWindows(text.train, length: config.context), validation: TokenWindows(text.validation, length: config.context),
            metadata: spec.metadata, settings: config.fit,
            loss: { logits, targets in crossEntropy(logits.reshape([-1, vocabularySize]), targets.reshape([-1])) },
            started: started)
        let (best, _) = try loadModel(run.model.path, as: GPTSpec.self)
        let start = (try? spec.vocabulary.encode("\n")) ?? [0]
        let sample = best.generate(prompt: start, count: 300, generator: Generator(seed: config.seed))
        print("sample from the best weights:\n" + spec.vocabulary.decode(sample))
    }
}
