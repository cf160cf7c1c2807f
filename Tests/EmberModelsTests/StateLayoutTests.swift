import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation
import XCTest

/// A config's `StateLayout` is what its model's `stateDict()` holds, and model files are
/// checked against it before anything is built: absurd sizes in a file's metadata are
/// refused at once, not allocated.
final class StateLayoutTests: XCTestCase {
    private let unlimited = StateLayout.Budget(tensors: .max, elements: .max, limit: "anything")

    /// Configs of every kind and variant: dropout or none, batch norm or none, every
    /// cell, biases or none, tied or untied output weights.
    private var configs: [AnyModelConfig] {
        [.mlp(MLPConfig()), .mlp(MLPConfig(inFeatures: 5, hidden: [4], classes: 2, dropout: 0.2)),
         .mlp(MLPConfig(inFeatures: 6, hidden: [5, 4, 3], classes: 3)),
         .cnn(CNNConfig()), .cnn(CNNConfig(classes: 3, batchNorm: true)),
         .perceptron(PerceptronConfig(inFeatures: 7)),
         .charlm(CharRNNConfig(arch: .rnn, vocabSize: 5, embed: 3, hidden: 4)),
         .charlm(CharRNNConfig(arch: .lstm, vocabSize: 6, embed: 3, hidden: 4, layers: 3, dropout: 0.1)),
         .charlm(CharRNNConfig(arch: .gru, vocabSize: 4, embed: 2, hidden: 5, layers: 2)),
         .gpt(GPTConfig(vocabSize: 7, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8)),
         .gpt(GPTConfig(vocabSize: 7, blockSize: 6, nLayer: 1, nHead: 4, nEmbd: 8, bias: false, tiedWeights: false)),
         .bert(BERTConfig(vocabSize: 6, maxPositions: 5, layers: 2, heads: 2, embed: 8)),
         .series(SeriesForecasterConfig()), .series(SeriesForecasterConfig(arch: .gru, hidden: 3, layers: 2, horizon: 4)),
         .recognizer(DigitRecognizerConfig()), .recognizer(DigitRecognizerConfig(arch: .gru, nMels: 8, width: 5, classes: 3)),
         .synthesizer(SynthesizerConfig(phonemes: ["a", "b"])), .synthesizer(SynthesizerConfig(phonemes: ["a"], width: 4, encoderLayers: 1))]
    }

    func testLayoutsAreWhatTheModelsHold() throws {
        for config in configs {
            let layout = try config.stateLayout(within: unlimited)
            let state = config.build().stateDict()
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: layout.entries.map { ($0.name, $0.shape) }),
                           Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor.shape) }), "\(config)")
            let distinct = Set(state.map { ObjectIdentifier($0.tensor) })
            XCTAssertEqual(layout.tensors, distinct.count, "\(config): aliases share their tensor")
            XCTAssertEqual(layout.elements, state.filter { n in !layout.entries.contains { $0.name == n.name && $0.alias } }
                .reduce(0) { $0 + $1.tensor.numel }, "\(config)")
        }
    }

    func testABudgetStopsALayoutEarly() {
        let budget = StateLayout.Budget.file(tensors: 12, elements: 10_000)
        let absurd: [AnyModelConfig] = [
            .gpt(GPTConfig(vocabSize: 65, blockSize: 64, nLayer: .max, nHead: 4, nEmbd: 64)),
            .gpt(GPTConfig(vocabSize: 65, blockSize: 1_000_000_000, nLayer: 2, nHead: 4, nEmbd: 64)),
            .gpt(GPTConfig(vocabSize: 65, blockSize: 64, nLayer: 2, nHead: 1, nEmbd: .max)),
            .bert(BERTConfig(vocabSize: 66, maxPositions: 64, layers: 1_000_000, heads: 2, embed: 64)),
            .charlm(CharRNNConfig(vocabSize: 65, embed: 16, hidden: .max / 2)),
            .charlm(CharRNNConfig(vocabSize: .max, embed: .max, hidden: 16)),
            .mlp(MLPConfig(hidden: [99_999_999_999])),
            .mlp(MLPConfig(hidden: [Int](repeating: 1, count: 100_000))),
            .series(SeriesForecasterConfig(hidden: 64, layers: .max)),
            .recognizer(DigitRecognizerConfig(width: .max / 2)),
        ]
        for config in absurd {
            XCTAssertThrowsError(try config.stateLayout(within: budget), "\(config)") {
                XCTAssertEqual("\($0)", "the \(config.kind.rawValue) model its config describes is larger than the file, which holds 12 tensors of 10000 elements in all")
            }
        }
    }

    func testTrainingBudgetIsTheMachinesMemory() throws {
        let budget = StateLayout.Budget.training
        XCTAssertEqual(budget.elements, Memory.limit / 16)
        XCTAssertNoThrow(try AnyModelConfig.mlp(MLPConfig()).stateLayout(within: budget))
        let wide = AnyModelConfig.mlp(MLPConfig(hidden: [Memory.limit / 16 / 784 + 1]))
        XCTAssertThrowsError(try wide.stateLayout(within: budget)) {
            XCTAssertTrue("\($0)".hasPrefix("the mlp model its config describes is larger than this machine can train: at 16 bytes a parameter"), "\($0)")
        }
    }

    /// Metadata edited to describe a model far larger than the file: refused by the
    /// check against the tensors, quickly and without allocating it.
    func testModelFilesWithAbsurdSizesAreRefusedBeforeBuilding() throws {
        let vocabulary = CharVocabulary(characters: Array("abcde"))
        let gpt = GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8)
        let tensors = AnyModelConfig.gpt(gpt).build().stateDict()
        let huge = [0, 1_000_000, 1_000_000_000, Int.max]
        let edits: [(String, (inout GPTConfig, Int) -> Void)] = [
            ("n_layer", { $0.nLayer = $1 }), ("block_size", { $0.blockSize = $1 }), ("vocab_size", { $0.vocabSize = $1 }),
            ("n_embd", { $0.nEmbd = $1; $0.nHead = 1 }),
        ]
        for (key, edit) in edits {
            for value in huge where value != 0 || key != "vocab_size" {
                var edited = gpt
                edit(&edited, value)
                var metadata = try ModelFile.metadata(.gpt(edited), vocabulary: vocabulary)
                metadata["vocab"] = try ConfigJSON.string(vocabulary.characters.map(String.init))
                let url = try temporaryModelFile(tensors, metadata: metadata)
                let started = Date()
                XCTAssertThrowsError(try ModelFile(contentsOf: url), "\(key) = \(value)")
                XCTAssertLessThan(Date().timeIntervalSince(started), 1, "\(key) = \(value) is refused at once")
            }
        }
        // A shape that disagrees is named with both shapes.
        var narrower = gpt
        narrower.blockSize = 6
        let url = try temporaryModelFile(tensors, metadata: ModelFile.metadata(.gpt(narrower), vocabulary: vocabulary))
        XCTAssertThrowsError(try ModelFile(contentsOf: url)) {
            XCTAssertTrue("\($0)".hasSuffix("the tensors do not fit the gpt model its metadata describes: cannot load state dict: shape mismatch: transformer.wpe.weight expects [6, 8], got [8, 8]"), "\($0)")
        }
    }
}
