import Foundation
import XCTest
import Ember
import EmberModels
import EmberNN

/// GPT against a nanoGPT model written in PyTorch (`EmberNNTests/Fixtures/
/// make_transformer_fixtures.py`, case `nanogpt`), and its KV-cached generation against
/// the uncached one.
final class GPTTests: XCTestCase {
    private static let fixture: [String: Any] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../EmberNNTests/Fixtures/transformer.json")
        let all = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return all["nanogpt"] as! [String: Any]
    }()

    private func tensor(_ value: Any) -> Tensor {
        let dict = value as! [String: Any]
        return Tensor((dict["data"] as! [NSNumber]).map(\.doubleValue), shape: (dict["shape"] as! [NSNumber]).map(\.intValue))
    }

    private func maxDifference(_ a: Tensor, _ b: Tensor) -> Double { (a.to(.float64) - b.to(.float64)).abs().max().item() }

    private func tinyGPT(tied: Bool = true, embed: Int = 8) -> GPT {
        GPT(GPTConfig(vocabSize: 11, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: embed, tiedWeights: tied))
    }

    func testNanoGPTWeightsLoadByNameAndGiveItsLogitsAndGradients() throws {
        let state = (Self.fixture["state"] as! [String: Any]).mapValues(tensor)
        let model = tinyGPT()
        // nanoGPT's names, with the tied output weight listed once.
        XCTAssertEqual(Set(model.namedParameters().map(\.name)), Set(state.keys).subtracting(["lm_head.weight"]))
        try model.loadStateDict(state)
        model.eval()
        let tokens = tensor((Self.fixture["inputs"] as! [Any])[0]).to(.int64)
        let logits = model(tokens)
        let expected = tensor(Self.fixture["output"]!)
        XCTAssertEqual(logits.shape, expected.shape)
        XCTAssertLessThan(maxDifference(logits, expected), 1e-5)
        (logits * tensor(Self.fixture["r"]!).to(.float32)).sum().backward()
        let grads = (Self.fixture["grads"] as! [String: Any]).mapValues(tensor)
        for (name, p) in model.namedParameters() {
            let scale = Swift.max(1, grads[name]!.abs().max().item())
            XCTAssertLessThan(maxDifference(p.grad!, grads[name]!) / scale, 1e-5, "gradient of \(name)")
        }
    }

    func testCheckpointThatDoesNotFitIsRejectedNamingEveryProblem() {
        var state = Dictionary(uniqueKeysWithValues: tinyGPT(tied: false, embed: 12).stateDict().map { ($0.name, $0.tensor) })
        state["transformer.h.1.mlp.c_fc.bias"] = nil
        state["transformer.h.9.attn.c_attn.weight"] = Tensor.zeros([3, 3])
        XCTAssertThrowsError(try tinyGPT(tied: false).loadStateDict(state)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("missing: transformer.h.1.mlp.c_fc.bias"), message)
            XCTAssertTrue(message.contains("unexpected: transformer.h.9.attn.c_attn.weight"), message)
            XCTAssertTrue(message.contains("transformer.wte.weight expects [11, 8], got [11, 12]"), message)
        }
    }

    func testTiedHeadSharesTheEmbedding() {
        let model = tinyGPT()
        XCTAssertTrue(model.lmHead.weight === model.transformer.wte.weight)
        XCTAssertFalse(model.namedParameters().map(\.name).contains("lm_head.weight"))
        XCTAssertEqual(tinyGPT(tied: false).parameterCount - model.parameterCount, 11 * 8)
    }

    func testCachedLogitsEqualAFullPass() {
        manualSeed(3)
        let model = tinyGPT()
        model.eval()
        let tokens = Tensor.randint(0, 11, [2, 10], generator: Generator(seed: 4))
        withNoGrad {
            let full = model(tokens)
            let cache = KVCache(for: model, batch: 2)
            let prefix = model(tokens.narrow(dim: 1, start: 0, length: 6), cache: cache)
            XCTAssertLessThan(maxDifference(prefix, full.narrow(dim: 1, start: 0, length: 6)), 1e-5)
            for t in 6..<10 {
                let step = model(tokens.narrow(dim: 1, start: t, length: 1), cache: cache, lastOnly: true)
                XCTAssertLessThan(maxDifference(step, full.narrow(dim: 1, start: t, length: 1)), 1e-5, "position \(t)")
            }
            XCTAssertEqual(cache.length, 10)
        }
    }

    func testCachedGenerationEqualsUncachedTokenForToken() {
        manualSeed(5)
        let model = tinyGPT()
        for sampler in [TokenSampler(temperature: 0), TokenSampler(temperature: 1), TokenSampler(temperature: 0.8, topK: 5)] {
            // 3 prompt tokens + 13 new ones fill the 16-token context exactly.
            let cached = model.generate(prompt: [1, 2, 3], count: 13, sampler: sampler, generator: Generator(seed: 7))
            let uncached = model.generate(prompt: [1, 2, 3], count: 13, sampler: sampler, generator: Generator(seed: 7),
                                          useCache: false)
            XCTAssertEqual(cached, uncached)
        }
        // Past the context the cache restarts from the last half and generation goes on.
        var streamed: [Int] = []
        let long = model.generate(prompt: [1], count: 40, generator: Generator(seed: 1)) { streamed.append($0) }
        XCTAssertEqual(long.count, 40)
        XCTAssertEqual(streamed, long)
    }
}
