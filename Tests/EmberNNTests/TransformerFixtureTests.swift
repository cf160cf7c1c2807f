import XCTest
import Ember
import EmberNN

/// MultiheadAttention and the transformer layers with PyTorch's weights, loaded by name,
/// against PyTorch's outputs and gradients (`Fixtures/make_transformer_fixtures.py`).
final class TransformerFixtureTests: XCTestCase {
    private struct Case {
        let name: String, raw: [String: Any]
        init(_ name: String) {
            self.name = name
            raw = Fixtures.transformer[name] as! [String: Any]
        }
        subscript(key: String) -> Tensor { Fixtures.tensor(raw[key]!) }
        var state: [String: Tensor] { (raw["state"] as! [String: Any]).mapValues(Fixtures.tensor) }
        var inputs: [Tensor] { (raw["inputs"] as! [Any]).map { Fixtures.tensor($0).requiringGrad() } }
    }

    /// Loads the case into `module`, runs `forward` on its inputs and checks the output
    /// and the gradients of the inputs and of every parameter.
    private func check(_ c: Case, _ module: Module, file: StaticString = #filePath, line: UInt = #line,
                       _ forward: ([Tensor]) -> Tensor) {
        XCTAssertNoThrow(try module.loadStateDict(c.state), file: file, line: line)
        module.eval()
        let inputs = c.inputs
        let y = forward(inputs)
        assertClose(y, c["output"], "\(c.name) output", file: file, line: line)
        (y * c["r"]).sum().backward()
        for (i, expected) in (c.raw["input_grads"] as! [Any]).enumerated() {
            assertClose(inputs[i].grad!, Fixtures.tensor(expected), "\(c.name) gradient of input \(i)", file: file, line: line)
        }
        let grads = (c.raw["grads"] as! [String: Any]).mapValues(Fixtures.tensor)
        XCTAssertEqual(Set(module.namedParameters().map(\.name)), Set(grads.keys), "\(c.name) parameter names", file: file, line: line)
        for (name, p) in module.namedParameters() {
            assertClose(p.grad!, grads[name]!, "\(c.name) gradient of \(name)", file: file, line: line)
        }
    }

    func testSelfAttentionWithPaddingAndAttentionMasks() {
        let c = Case("mha_self")
        let mha = MultiheadAttention(embedDim: 8, numHeads: 2, batchFirst: true, dtype: .float64)
        let padding = c["key_padding_mask"].ne(0), blocked = c["attn_mask"].ne(0)
        check(c, mha) { x in mha(x[0], attentionMask: blocked, keyPaddingMask: padding) }
    }

    func testCrossAttentionTimeFirst() {
        let c = Case("mha_cross")
        let mha = MultiheadAttention(embedDim: 6, numHeads: 3, dtype: .float64)
        check(c, mha) { x in mha(query: x[0], key: x[1], value: x[1]) }
    }

    func testEncoderLayersPostNormReLUAndPreNormGELU() {
        for (name, normFirst, activation) in [("encoder_post_relu", false, TransformerActivation.relu),
                                              ("encoder_pre_gelu", true, .gelu)] {
            let layer = TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, activation: activation,
                                                batchFirst: true, normFirst: normFirst, dtype: .float64)
            check(Case(name), layer) { x in layer(x[0]) }
        }
    }

    func testDecoderLayerWithCausalTargetMask() {
        let layer = TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 12, dropout: 0, batchFirst: true, dtype: .float64)
        let causal = Transformer.squareSubsequentMask(4, dtype: .float64)
        check(Case("decoder_post_relu"), layer) { x in layer(x[0], memory: x[1], tgtMask: causal) }
        // The same layer with the mask computed inside attention instead.
        let c = Case("decoder_post_relu")
        let x = c.inputs
        assertClose(layer(x[0], memory: x[1], tgtIsCausal: true), c["output"], "tgtIsCausal")
    }

    func testEncoderStackAndTransformerNameTheirLayersLikePyTorch() {
        let encoder = TransformerEncoder(numLayers: 2, norm: LayerNorm(normalizedShape: [8])) {
            TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16)
        }
        let names = encoder.namedParameters().map(\.name)
        XCTAssertTrue(names.contains("layers.1.self_attn.in_proj_weight"))
        XCTAssertTrue(names.contains("layers.0.linear2.bias"))
        XCTAssertTrue(names.contains("norm.weight"))
        let model = Transformer(dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16)
        XCTAssertTrue(model.namedParameters().map(\.name).contains("decoder.layers.0.multihead_attn.out_proj.weight"))
        let y = model(Tensor.randn([5, 2, 8]), Tensor.randn([3, 2, 8]), tgtIsCausal: true)
        XCTAssertEqual(y.shape, [3, 2, 8])
    }

    func testSinusoidalPositionsMatchTheFormula() {
        let pe = SinusoidalPositionalEncoding(embedDim: 6, maxLength: 10, dtype: .float64)
        let y = pe(Tensor.zeros([2, 4, 6], dtype: .float64))
        XCTAssertEqual(y.shape, [2, 4, 6])
        XCTAssertEqual(y[1][3][2].item(), sin(3 / pow(10_000, 2.0 / 6)), accuracy: 1e-12)
        XCTAssertEqual(y[0][3][3].item(), cos(3 / pow(10_000, 2.0 / 6)), accuracy: 1e-12)
        let learned = LearnedPositionalEmbedding(maxLength: 10, embedDim: 6, dtype: .float64)
        assertClose(learned(Tensor.zeros([3, 6], dtype: .float64), offset: 2), learned.weight.narrow(dim: 0, start: 2, length: 3))
    }
}
