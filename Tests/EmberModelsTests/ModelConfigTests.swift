import Ember
import EmberData
import EmberModels
import EmberNN
import Foundation
import XCTest

/// Every model config round-trips through JSON and through a model file (which then
/// rebuilds the model, its weights loaded strictly); decoded configs are checked, and
/// names outside a closed set are refused in one line that lists the valid ones.
final class ModelConfigTests: XCTestCase {
    private let vocabulary = CharVocabulary(characters: Array("ab\n\"c"))

    /// One config of each kind, none at its defaults where a field has one.
    private var configs: [AnyModelConfig] {
        [.mlp(MLPConfig(inFeatures: 12, hidden: [7, 5], classes: 3, dropout: 0.25, normalization: InputNormalization(mean: 0.1, std: 0.3))),
         .cnn(CNNConfig(classes: 4, dropout: 0.3, batchNorm: true)),
         .perceptron(PerceptronConfig(inFeatures: 9, positiveClass: 4, negativeClass: 2)),
         .charlm(CharRNNConfig(arch: .gru, vocabSize: vocabulary.count, embed: 4, hidden: 6, layers: 2, dropout: 0.1)),
         .gpt(GPTConfig(vocabSize: vocabulary.count, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0.1, bias: false, tiedWeights: true)),
         .bert(BERTConfig(vocabSize: vocabulary.count + 1, maxPositions: 8, layers: 1, heads: 2, embed: 8, dropout: 0.2)),
         .series(SeriesForecasterConfig(arch: .gru, hidden: 5, layers: 2, window: 6, horizon: 3, scale: 0.37)),
         .recognizer(DigitRecognizerConfig(arch: .gru, nMels: 12, width: 6, dropout: 0.2, classes: 4)),
         .synthesizer(SynthesizerConfig(phonemes: ["n", "_", "w"], lexicon: ["one": ["w", "n"]], ending: ["_"], voice: "en-us+f2", width: 6,
                                        encoderLayers: 1, decoderLayers: 2, kernelSize: 3, nMels: 5, dropout: 0.2))]
    }

    func testEveryKindIsCovered() {
        XCTAssertEqual(Set(configs.map(\.kind)), Set(ModelKind.allCases))
    }

    func testConfigsRoundTripThroughJSON() throws {
        for config in configs {
            let json = try ConfigJSON.string(config)
            XCTAssertTrue(json.contains("\"kind\":\"\(config.kind.rawValue)\""), json)
            XCTAssertEqual(try ConfigJSON.decode(AnyModelConfig.self, from: Data(json.utf8)), config)
        }
        // nanoGPT's names, as nanoGPT's model_args spells them.
        let gpt = try ConfigJSON.string(configs[4])
        for key in ["vocab_size", "block_size", "n_layer", "n_head", "n_embd", "bias"] { XCTAssertTrue(gpt.contains("\"\(key)\""), gpt) }
    }

    func testConfigsRoundTripThroughModelFilesAndRebuildTheirModels() throws {
        for config in configs {
            manualSeed(3)
            let model = config.build()
            let text = [ModelKind.charlm, .gpt, .bert].contains(config.kind) ? vocabulary : nil
            let url = try temporaryModelFile(model.stateDict(), metadata: ModelFile.metadata(config, vocabulary: text))
            let file = try ModelFile(contentsOf: url)
            XCTAssertEqual(file.config, config)
            XCTAssertEqual(file.vocabulary, text)
            XCTAssertEqual(file.metadata["model"], config.kind.rawValue)
            let rebuilt = try file.model()
            XCTAssertFalse(rebuilt.training, "\(config.kind): loaded models evaluate")
            for ((name, a), (_, b)) in zip(model.stateDict(), rebuilt.stateDict()) {
                XCTAssertEqual(a.doubles, b.doubles, "\(config.kind): \(name)")
            }
            let (_, loaded) = try loadModel(from: url)
            XCTAssertEqual(loaded, config)
        }
    }

    func testTypedLoadingNamesTheKindItFound() throws {
        let config = configs[1]
        let url = try temporaryModelFile(config.build().stateDict(), metadata: ModelFile.metadata(config))
        XCTAssertNoThrow(try loadModel(from: url, as: CNNConfig.self))
        XCTAssertThrowsError(try loadModel(from: url, as: GPTConfig.self)) {
            XCTAssertEqual("\($0)", "\(url.path) holds a cnn model, not a gpt one")
        }
    }

    func testUnknownNamesAndBadValuesAreOneLineErrors() throws {
        func decodeError(_ json: String) -> String {
            do {
                let config = try ConfigJSON.decode(AnyModelConfig.self, from: Data(json.utf8))
                try config.validate()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(decodeError(#"{"kind":"transformer"}"#), "kind: 'transformer' is not mlp, cnn, perceptron, charlm, gpt, bert, series, recognizer or synthesizer")
        XCTAssertEqual(decodeError(#"{"kind":"charlm","arch":"transformer","vocab_size":5,"embed":4,"hidden":6,"layers":1,"dropout":0}"#),
                       "arch: 'transformer' is not rnn, lstm or gru")
        XCTAssertEqual(decodeError(#"{"kind":"charlm","arch":"gru","vocab_size":5,"embed":4,"layers":1,"dropout":0}"#), "hidden is missing")
        XCTAssertEqual(decodeError(#"{"kind":"charlm","arch":"gru","vocab_size":5,"embed":"four","hidden":6,"layers":1,"dropout":0}"#),
                       "embed is not an integer")
        XCTAssertEqual(decodeError(#"{"kind":"charlm","arch":"gru","vocab_size":5,"embed":0,"hidden":6,"layers":1,"dropout":0}"#),
                       "embed must be positive, got 0")
        XCTAssertEqual(decodeError(#"{"kind":"gpt","vocab_size":5,"block_size":8,"n_layer":1,"n_head":3,"n_embd":8,"dropout":0,"bias":true,"tied_weights":true}"#),
                       "n_embd 8 must be a multiple of n_head 3")
        XCTAssertEqual(decodeError(#"{"kind":"mlp","in_features":4,"hidden":[3],"classes":2,"dropout":1.5}"#), "dropout must be in [0, 1), got 1.5")
        XCTAssertEqual(decodeError(#"{"kind":"series","arch":"rnn","hidden":4,"layers":1,"window":6,"horizon":1,"scale":1}"#),
                       "arch must be lstm or gru (a forecaster uses gated cells), got rnn")
        XCTAssertEqual(decodeError("not json"), "not valid JSON")
    }

    func testModelFilesAreCheckedAgainstTheirOwnParts() throws {
        let config = configs[3]
        let tensors = config.build().stateDict()
        let described = try ModelFile.metadata(config, vocabulary: vocabulary)
        var noCharacters = described
        noCharacters["vocab"] = nil
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile(tensors, metadata: noCharacters))) {
            XCTAssertTrue("\($0)".hasSuffix(": a charlm model file needs its characters (metadata 'vocab')"), "\($0)")
        }
        var fewer = described
        fewer["vocab"] = #"["a","b"]"#
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile(tensors, metadata: fewer))) {
            XCTAssertTrue("\($0)".hasSuffix(": metadata 'vocab' has 2 characters but the model reads 5"), "\($0)")
        }
        var repeated = described
        repeated["vocab"] = #"["a","a","b","c","d"]"#
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile(tensors, metadata: repeated))) {
            XCTAssertTrue("\($0)".hasSuffix(": metadata 'vocab' must list distinct single characters"), "\($0)")
        }
        var otherKind = described
        otherKind["model"] = "gpt"
        XCTAssertThrowsError(try ModelFile(contentsOf: temporaryModelFile(tensors, metadata: otherKind))) {
            XCTAssertTrue("\($0)".hasSuffix(": metadata 'model' = 'gpt' but its config is a charlm"), "\($0)")
        }
        // Weights of a model over another vocabulary are refused before a model is
        // built, and the error names them.
        let other = CharRNNConfig(arch: .gru, vocabSize: 7, embed: 4, hidden: 6, layers: 2)
        let url = try temporaryModelFile(other.build().stateDict(), metadata: described)
        XCTAssertThrowsError(try ModelFile(contentsOf: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("the tensors do not fit the charlm model its metadata describes"), message)
            for name in ["emb.weight", "head.weight", "head.bias"] { XCTAssertTrue(message.contains(name), message) }
        }
    }

    /// A lone combining accent after a letter stays its own character: the first
    /// format's one string ("a\u{301}") read back as a single "á".
    func testCombiningCharactersSurvive() throws {
        let accented = CharVocabulary(characters: ["\n", "a", "\u{301}"])
        XCTAssertEqual(Array(accented.string).count, 2, "why a plain string cannot hold the characters")
        let config = AnyModelConfig.charlm(CharRNNConfig(vocabSize: 3, embed: 2, hidden: 3))
        let url = try temporaryModelFile(config.build().stateDict(), metadata: ModelFile.metadata(config, vocabulary: accented))
        XCTAssertEqual(try ModelFile(contentsOf: url).vocabulary, accented)
        // A Windows line break is one character ("\r\n"), an accent after a line break another.
        let corpus = CharVocabulary(text: "To be,\r\nor not\n\u{301}to be: caf\u{E9}, cafe\u{301}\r")
        let text = AnyModelConfig.charlm(CharRNNConfig(vocabSize: corpus.count, embed: 2, hidden: 3))
        let file = try temporaryModelFile(text.build().stateDict(), metadata: ModelFile.metadata(text, vocabulary: corpus))
        XCTAssertEqual(try ModelFile(contentsOf: file).vocabulary?.characters.map(String.init), corpus.characters.map(String.init))
    }
}
