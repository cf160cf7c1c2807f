import XCTest
import Ember
import EmberData
import EmberModels
import EmberNN

/// The BERT-style encoder and the masked windows it learns from.
final class BERTTests: XCTestCase {
    private func tinyBERT() -> BERT {
        manualSeed(2)
        let model = BERT(BERTConfig(vocabSize: 12, maxPositions: 16, layers: 2, heads: 2, embed: 8, dropout: 0))
        // Wider weights than BERT's 0.02, so that every path visibly carries information.
        for p in model.parameters() where p.ndim == 2 { Init.normal(p, std: 0.5) }
        model.eval()
        return model
    }

    func testNamesAndTiedOutput() {
        let names = tinyBERT().namedParameters().map(\.name)
        for name in ["token_embedding.weight", "position_embedding.weight", "embedding_norm.weight",
                     "encoder.layers.1.self_attn.in_proj_weight", "encoder.layers.0.linear2.bias", "head.transform.weight",
                     "head.norm.bias", "head.bias"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(names.filter { $0.hasSuffix("weight") && $0.contains("head") && !$0.contains("norm") }, ["head.transform.weight"])
    }

    func testEveryPositionSeesBothSidesAndNoPadding() {
        let model = tinyBERT()
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [1, 6]), b = Tensor([1, 2, 3, 4, 5, 9], shape: [1, 6])
        withNoGrad {
            // Changing the last token changes the first position's logits: attention is bidirectional.
            XCTAssertGreaterThan((model(a)[0][0] - model(b)[0][0]).abs().max().item(), 1e-4)
            // Marked as padding, the last token no longer matters to the others.
            let padding = Tensor([0, 0, 0, 0, 0, 1], shape: [1, 6]).ne(0)
            let first = model(a, paddingMask: padding).narrow(dim: 1, start: 0, length: 5)
            let second = model(b, paddingMask: padding).narrow(dim: 1, start: 0, length: 5)
            XCTAssertLessThan((first - second).abs().max().item(), 1e-6)
        }
    }

    func testMaskedWindowsChooseAboutFifteenPercentAsBERTDoes() {
        let tokens = Tensor((0..<5_000).map { $0 % 10 })
        let windows = MaskedWindows(tokens, length: 50, maskToken: 10, randomTokens: 10, seed: 3)
        let batch = windows.batch(Array(0..<400))
        let inputs = batch.inputs.scalars(as: Int64.self), targets = batch.targets.scalars(as: Int64.self)
        var chosen = 0, masked = 0, kept = 0
        for (i, (input, target)) in zip(inputs, targets).enumerated() {
            let original = Int64((i / 50 + i % 50) % 10)
            if target == -100 {
                XCTAssertEqual(input, original)
                continue
            }
            XCTAssertEqual(target, original)
            chosen += 1
            if input == 10 { masked += 1 } else if input == original { kept += 1 }
        }
        let share = Double(chosen) / Double(inputs.count)
        XCTAssertEqual(share, 0.15, accuracy: 0.01)
        XCTAssertEqual(Double(masked) / Double(chosen), 0.8, accuracy: 0.03)
        // 10% kept on purpose, and a random replacement is the original a tenth of the time.
        XCTAssertEqual(Double(kept) / Double(chosen), 0.11, accuracy: 0.03)
        // The same window is masked the same way every time it is drawn.
        XCTAssertEqual(windows.batch([7]).inputs.scalars(as: Int64.self), windows.batch([7]).inputs.scalars(as: Int64.self))
        XCTAssertNotEqual(windows.batch([7]).targets.scalars(as: Int64.self), windows.batch([8]).targets.scalars(as: Int64.self))
    }

    func testFillPredictsOnlyMaskedPositionsAndNeverTheMaskToken() {
        let model = tinyBERT()
        let filled = model.fill([1, 11, 3, 11, 5], maskToken: 11, top: 3)
        XCTAssertEqual(filled.map(\.position), [1, 3])
        for (_, candidates) in filled {
            XCTAssertEqual(candidates.count, 3)
            XCTAssertFalse(candidates.contains { $0.token == 11 })
            XCTAssertTrue(zip(candidates, candidates.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        }
    }
}
