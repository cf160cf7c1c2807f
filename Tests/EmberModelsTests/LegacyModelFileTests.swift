import Ember
import EmberData
import EmberModels
import EmberNN
import XCTest

/// Model files of Ember's first formats keep loading: files the last code to write them
/// made (`Fixtures/legacy/`, by `Fixtures/make_legacy_files.sh`), and the PyTorch
/// exports that carry the same keys (`Fixtures/*.safetensors`, whose outputs
/// `PyTorchExchangeTests` checks).
final class LegacyModelFileTests: XCTestCase {
    private func load(_ name: String) throws -> ModelFile {
        let file = try ModelFile(contentsOf: fixtureURL(name))
        XCTAssertNoThrow(try file.model(), "\(name): its weights load strictly into the model it describes")
        return file
    }

    func testEveryKindOfTheFirstFormatsLoads() throws {
        XCTAssertEqual(try load("legacy/mlp-normalized.safetensors").config,
                       .mlp(MLPConfig(hidden: [12, 6], normalization: InputNormalization(mean: 0.18411865114344864, std: 0.21056811631143418))))
        XCTAssertEqual(try load("cnn.safetensors").config, .cnn(CNNConfig(dropout: 0.5, batchNorm: true)))
        XCTAssertEqual(try load("legacy/perceptron.safetensors").config, .perceptron(PerceptronConfig(positiveClass: 3, negativeClass: 7)))

        let characters = CharVocabulary(characters: Array("\n ,.Tabehinoqrstu"))
        let charlm = try load("legacy/charlm-gru.safetensors")
        XCTAssertEqual(charlm.config, .charlm(CharRNNConfig(arch: .gru, vocabSize: 17, embed: 4, hidden: 8, layers: 2)))
        XCTAssertEqual(charlm.vocabulary, characters)
        let lstm = try load("lstm.safetensors")
        XCTAssertEqual(lstm.config, .charlm(CharRNNConfig(arch: .lstm, vocabSize: 15, embed: 8, hidden: 16, layers: 2)))

        let gpt = try load("gpt.safetensors")
        XCTAssertEqual(gpt.config, .gpt(GPTConfig(vocabSize: 15, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0, bias: true,
                                                  tiedWeights: true)))
        let bert = try load("legacy/bert.safetensors")
        XCTAssertEqual(bert.config, .bert(BERTConfig(vocabSize: 18, maxPositions: 8, layers: 1, heads: 2, embed: 8, dropout: 0.1)))
        XCTAssertEqual(bert.vocabulary, characters)

        XCTAssertEqual(try load("legacy/series.safetensors").config,
                       .series(SeriesForecasterConfig(arch: .gru, hidden: 4, layers: 1, window: 6, horizon: 2, scale: 0.34551943315238715)))
    }

    func testBrokenFirstFormatMetadataIsNamed() throws {
        func error(_ metadata: [String: String]) -> String {
            do {
                _ = try ModelFile(contentsOf: temporaryModelFile([], metadata: metadata))
                return "no error"
            } catch {
                return "\(error)".components(separatedBy: ": ").dropFirst().joined(separator: ": ")
            }
        }
        XCTAssertEqual(error(["model": "transformer"]), "metadata 'model': 'transformer' is not mlp, cnn, perceptron, charlm, gpt, bert, series, recognizer or synthesizer")
        XCTAssertEqual(error(["model": "charlm", "arch": "transformer", "vocabulary": "ab"]), "metadata 'arch': 'transformer' is not rnn, lstm or gru")
        XCTAssertEqual(error(["model": "gpt", "vocabulary": "ab", "context": "8", "layers": "1", "heads": "2"]), "metadata 'embed' is missing")
        XCTAssertEqual(error(["model": "mlp", "hidden": "12,,6"]), "metadata 'hidden' = '12,,6' is not a list of sizes")
        XCTAssertEqual(error(["model": "charlm", "arch": "gru", "vocabulary": "aa"]), "metadata 'vocabulary' is missing or repeats a character")
        XCTAssertEqual(error(["model": "cnn", "dropout": "1.5"]), "metadata 'dropout' = '1.5' is not in [0, 1)")
    }
}
