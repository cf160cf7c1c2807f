import Foundation
import XCTest
import Ember
import EmberModels
import EmberNN

/// Weights moving between PyTorch and Ember, by name: PyTorch models written by
/// `scripts/export_pytorch.py` (fixtures made by `Fixtures/make_pytorch_fixtures.py`
/// from the twins in `scripts/pytorch_models.py`) give PyTorch's outputs in Ember, and
/// Ember's own files list exactly the names and shapes of PyTorch's state dicts.
final class PyTorchExchangeTests: XCTestCase {
    private func fixture(_ name: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let file = try SafeTensors.read(fixtureURL("\(name).safetensors"))
        return (Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor) }), file.metadata)
    }

    /// Loads fixture `name` into the Ember model its metadata describes (in Ember's first
    /// format, which PyTorch exports carry), as `ember eval` and `ember generate` do, and
    /// checks PyTorch's eval-mode output.
    private func checkOutputs(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try ModelFile(contentsOf: fixtureURL("\(name).safetensors")).model()
        let io = try fixture(name + "_io")
        let output = withNoGrad { model(io.tensors["input"]!) }
        let expected = io.tensors["output"]!
        XCTAssertEqual(output.shape, expected.shape, name, file: file, line: line)
        let difference: Double = (output.to(.float64) - expected.to(.float64)).abs().max().item()
        XCTAssertLessThan(difference, 1e-5, "\(name): largest difference from PyTorch", file: file, line: line)
    }

    func testPyTorchMLPGivesItsOutputs() throws { try checkOutputs("mlp") }

    func testPyTorchCNNWithBatchNormGivesItsOutputs() throws { try checkOutputs("cnn") }

    func testPyTorchCharacterLSTMGivesItsOutputs() throws { try checkOutputs("lstm") }

    func testPyTorchTiedGPTGivesItsOutputs() throws { try checkOutputs("gpt") }

    func testPyTorchDigitRecognizersGiveTheirOutputs() throws {
        try checkOutputs("recognizer")
        try checkOutputs("recognizer_gru")
    }

    /// The speech synthesizer: teacher-forced mels, the predicted log durations, the
    /// training loss, and speech at its own predicted durations are PyTorch's.
    func testPyTorchSynthesizerGivesItsMelsDurationsLossAndSpeech() throws {
        try checkOutputs("synthesizer")
        let (model, _) = try ModelFile(contentsOf: fixtureURL("synthesizer.safetensors")).model(as: SynthesizerConfig.self)
        model.eval()
        let io = try fixture("synthesizer_io").tensors
        let (input, targets) = (io["input"]!, io["targets"]!)
        func largestDifference(_ a: Tensor, _ b: Tensor?) -> Double {
            guard let b, a.shape == b.shape else { return .infinity }
            return (a.to(.float64) - b.to(.float64)).abs().max().item()
        }
        let (logDurations, loss) = withNoGrad {
            (model.forward(phonemes: input.select(dim: 1, index: 0), frames: input.select(dim: 1, index: 1)).logDurations,
             model.loss(inputs: input, targets: targets))
        }
        XCTAssertLessThan(largestDifference(logDurations, io["log_durations"]), 1e-5)
        XCTAssertLessThan(largestDifference(loss.reshape([1]), io["loss"]), 1e-5)
        let spoken = model.synthesize(input[0][0].ints)
        XCTAssertEqual(spoken.shape, io["synthesized"]?.shape, "the same predicted durations")
        XCTAssertLessThan(largestDifference(spoken, io["synthesized"]), 1e-5)
    }

    /// Going the other way: a freshly built (or trained) Ember model writes the names,
    /// shapes and dtypes PyTorch's `load_state_dict(strict=True)` wants, the tied GPT
    /// head under both of its names and batch norm's int64 counter included.
    func testEmberFilesListPyTorchsNamesAndShapes() throws {
        for name in ["mlp", "cnn", "lstm", "gpt", "recognizer", "recognizer_gru", "synthesizer"] {
            let torch = try fixture(name)
            let ember = try ModelFile(contentsOf: fixtureURL("\(name).safetensors")).config.build().stateDict()
            XCTAssertEqual(ember.count, Set(ember.map(\.name)).count, "\(name): names repeat")
            XCTAssertEqual(Set(ember.map(\.name)), Set(torch.tensors.keys), name)
            for (key, tensor) in ember {
                XCTAssertEqual(tensor.shape, torch.tensors[key]?.shape, "\(name): \(key)")
                XCTAssertEqual(tensor.dtype, torch.tensors[key]?.dtype, "\(name): \(key)")
            }
        }
    }

    /// An Ember file round-trips: written in today's format, read back and loaded strictly
    /// into a fresh model, which then gives the same outputs (the tied GPT head stays tied).
    func testEmberWrittenGPTReloadsWithItsTiedHead() throws {
        let torch = try ModelFile(contentsOf: fixtureURL("gpt.safetensors"))
        let (trained, config) = try torch.model(as: GPTConfig.self)
        let url = try temporaryModelFile(trained.stateDict(), metadata: ModelFile.metadata(.gpt(config), vocabulary: torch.vocabulary))
        let reloaded = try ModelFile(contentsOf: url)
        XCTAssertEqual(reloaded.metadata["format"], ModelFile.format)
        XCTAssertEqual(reloaded.vocabulary, torch.vocabulary)
        let (gpt, _) = try reloaded.model(as: GPTConfig.self)
        XCTAssertTrue(gpt.lmHead.weight === gpt.transformer.wte.weight)
        let tokens = try fixture("gpt_io").tensors["input"]!
        XCTAssertEqual((trained(tokens) - gpt(tokens)).abs().max().item() as Double, 0)
    }
}
