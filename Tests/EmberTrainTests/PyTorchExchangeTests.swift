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
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).safetensors")
        let file = try SafeTensors.read(url)
        return (Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.tensor) }), file.metadata)
    }

    /// The Ember model a file's metadata describes, as `ember eval` and `ember generate` build it.
    private func model(for metadata: [String: String]) throws -> any Layer {
        switch metadata["model"] {
        case "gpt": return try GPTSpec(metadata: metadata).build()
        case "charlm": return try CharLMSpec(metadata: metadata).build()
        default: return try ModelSpec(metadata: metadata).build()
        }
    }

    /// Loads fixture `name` into its Ember model and checks PyTorch's eval-mode output.
    private func checkOutputs(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let weights = try fixture(name), io = try fixture(name + "_io")
        let model = try model(for: weights.metadata)
        try model.loadStateDict(weights.tensors)
        model.eval()
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

    /// Going the other way: a freshly built (or trained) Ember model writes the names,
    /// shapes and dtypes PyTorch's `load_state_dict(strict=True)` wants, the tied GPT
    /// head under both of its names and batch norm's int64 counter included.
    func testEmberFilesListPyTorchsNamesAndShapes() throws {
        for name in ["mlp", "cnn", "lstm", "gpt"] {
            let torch = try fixture(name)
            let ember = try model(for: torch.metadata).stateDict()
            XCTAssertEqual(ember.count, Set(ember.map(\.name)).count, "\(name): names repeat")
            XCTAssertEqual(Set(ember.map(\.name)), Set(torch.tensors.keys), name)
            for (key, tensor) in ember {
                XCTAssertEqual(tensor.shape, torch.tensors[key]?.shape, "\(name): \(key)")
                XCTAssertEqual(tensor.dtype, torch.tensors[key]?.dtype, "\(name): \(key)")
            }
        }
    }

    /// An Ember file round-trips: written, read back and loaded strictly into a fresh
    /// model, which then gives the same outputs (the tied GPT head stays tied).
    func testEmberWrittenGPTReloadsWithItsTiedHead() throws {
        let torch = try fixture("gpt")
        let trained = try GPTSpec(metadata: torch.metadata).build()
        try trained.loadStateDict(torch.tensors)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ember-gpt-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(trained.stateDict(), metadata: torch.metadata, to: url)
        let reloaded = try GPTSpec(metadata: SafeTensors.read(url).metadata).build()
        try reloaded.loadStateDict(Dictionary(uniqueKeysWithValues: try SafeTensors.read(url).tensors.map { ($0.name, $0.tensor) }))
        XCTAssertTrue(reloaded.lmHead.weight === reloaded.transformer.wte.weight)
        let tokens = try fixture("gpt_io").tensors["input"]!
        XCTAssertEqual((trained(tokens) - reloaded(tokens)).abs().max().item() as Double, 0)
    }
}
