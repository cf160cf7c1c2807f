import ArgumentParser
import Dispatch
import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation

/// `ember train bert`: a character-level BERT-style encoder trained by masked-language
/// modelling on the same corpus and split as the GPT: 15% of the characters of each
/// window are chosen and predicted from both sides. Same sizes and optimizer as the GPT
/// recipe, with BERT's dropout of 0.1. `val_loss` is the cross-entropy on the masked
/// characters of the validation windows.
struct TrainBERT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bert", abstract: "Train a character-level BERT-style encoder by masked-language modelling.")

    @OptionGroup var options: TransformerOptions
    @Option(help: "Dropout after embeddings, on attention weights and in each layer.") var dropout: Double = 0.1
    @Option(help: "Share of the characters masked and predicted.") var maskProb: Double = 0.15

    func validate() throws {
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        guard maskProb > 0, maskProb <= 1 else { throw ValidationError("--mask-prob must be in (0, 1]") }
    }

    func run() throws {
        try reportingErrors(train)
    }

    private func train() throws {
        let started = DispatchTime.now()
        let (run, config) = try options.prepare(model: "bert", dropout: dropout, maskProbability: maskProb)
        setNumThreads(config.threads)
        let session = try TextRun.open(run, corpus: config.corpus, windowLength: config.context, resuming: options.training.resume != nil,
                                       config: config, model: "bert", logging: options.training.logging) { try BERTSpec(metadata: $0).vocabulary }
        let text = session.text
        let spec = BERTSpec(vocabulary: text.vocabulary, layers: config.layers, heads: config.heads, embed: config.embed,
                            context: config.context, dropout: config.dropout)
        manualSeed(config.seed)
        let model = spec.build()
        print("training a BERT (\(model.parameterCount) parameters, \(spec.vocabulary.count) characters and a mask token) on \(text.train.shape[0]) characters, validating on \(text.validation.shape[0]); run directory \(run.url.path)")
        func windows(_ tokens: Tensor, seed: UInt64) -> MaskedWindows {
            MaskedWindows(tokens, length: config.context, maskToken: spec.maskToken, randomTokens: spec.vocabulary.count,
                          maskProbability: config.maskProbability ?? 0.15, seed: seed)
        }
        let vocabularySize = spec.config.vocabSize
        _ = try session.fit(
            model, optimizer: config.optimizer(for: model), schedule: config.learningRateSchedule,
            train: windows(text.train, seed: config.seed), validation: windows(text.validation, seed: 1234),
            metadata: spec.metadata, settings: config.fit,
            loss: { logits, targets in
                crossEntropy(logits.reshape([-1, vocabularySize]), targets.reshape([-1]), ignoreIndex: MaskedWindows.ignoreIndex)
            },
            started: started)
        let (best, _) = try loadModel(run.model.path, as: BERTSpec.self)
        let example = String("To be, or not to be, that is the question.".prefix(config.context))
        if let tokens = try? spec.vocabulary.encode(example) {
            var masked = tokens
            for i in stride(from: 3, to: masked.count, by: 5) { masked[i] = spec.maskToken }
            let filled = best.fill(masked, maskToken: spec.maskToken)
            for (position, candidates) in filled { masked[position] = candidates[0].token }
            print("every fifth character of \"\(example)\" masked and filled in by the best weights:\n" + spec.vocabulary.decode(masked))
        }
    }
}
