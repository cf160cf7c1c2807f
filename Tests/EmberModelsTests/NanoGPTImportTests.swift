import Ember
import EmberData
import EmberModels
import EmberNN
import XCTest

/// A nanoGPT state dict saved without Ember's description: its shape is read from the
/// tensors, its heads and characters from nanoGPT's `model_args` names or the user,
/// and what is missing is said with how to supply it.
final class NanoGPTImportTests: XCTestCase {
    private let characters = CharVocabulary(characters: Array("\n abc"))
    private let config = GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0, bias: true, tiedWeights: true)

    /// The state dict nanoGPT saves: a tied head under both names.
    private func nanoGPT(_ config: GPTConfig, metadata: [String: String]) throws -> URL {
        manualSeed(4)
        let model = GPT(config)
        var tensors = model.stateDict()
        if !tensors.contains(where: { $0.name == "lm_head.weight" }) {
            tensors.append(("lm_head.weight", model.transformer.wte.weight.detach()))
        }
        return try temporaryModelFile(tensors, metadata: metadata)
    }

    func testShapesAndModelArgsRebuildTheModel() throws {
        let url = try nanoGPT(config, metadata: ["n_head": "2", "n_layer": "2", "block_size": "8", "bias": "true",
                                                 "vocab": #"["\n"," ","a","b","c"]"#])
        let file = try ModelFile(contentsOf: url)
        XCTAssertEqual(file.config, .gpt(config))
        XCTAssertEqual(file.vocabulary, characters)
        let (gpt, _) = try file.model(as: GPTConfig.self)
        XCTAssertTrue(gpt.lmHead.weight === gpt.transformer.wte.weight, "an identical lm_head is the tied one")
    }

    func testAnUntiedHeadWithoutBiasesIsRecognised() throws {
        let untied = GPTConfig(vocabSize: 5, blockSize: 8, nLayer: 1, nHead: 4, nEmbd: 8, dropout: 0, bias: false, tiedWeights: false)
        let url = try nanoGPT(untied, metadata: [:])
        let file = try ModelFile(contentsOf: url, gpt: NanoGPTHints(heads: 4, vocabulary: characters))
        XCTAssertEqual(file.config, .gpt(untied))
        XCTAssertNoThrow(try file.model())
    }

    func testWhatIsMissingIsSaidWithHowToSupplyIt() throws {
        func error(_ metadata: [String: String], _ hints: NanoGPTHints = NanoGPTHints()) throws -> String {
            do {
                _ = try ModelFile(contentsOf: try nanoGPT(config, metadata: metadata), gpt: hints)
                return "no error"
            } catch {
                return "\(error)".components(separatedBy: ": ").dropFirst().joined(separator: ": ")
            }
        }
        XCTAssertEqual(try error(["vocab": #"["\n"," ","a","b","c"]"#]),
                       "a nanoGPT file's shapes do not give its attention heads: pass --heads N (or add metadata 'n_head')")
        XCTAssertEqual(try error(["n_head": "2"]),
                       "a nanoGPT file needs its characters: add metadata 'vocab' (a JSON array of strings) or pass --vocab FILE")
        XCTAssertEqual(try error(["n_head": "2", "n_layer": "3"], NanoGPTHints(vocabulary: characters)),
                       "metadata 'n_layer' = 3 but the tensors show 2")
        XCTAssertEqual(try error([:], NanoGPTHints(heads: 3, vocabulary: characters)), "n_embd 8 must be a multiple of n_head 3")
        let unrelated = try temporaryModelFile([("weight", Tensor.zeros([2, 2]))], metadata: [:])
        XCTAssertThrowsError(try ModelFile(contentsOf: unrelated)) {
            XCTAssertTrue("\($0)".hasSuffix("its tensors are not a nanoGPT GPT's (no 2-D transformer.wte.weight and transformer.wpe.weight)"), "\($0)")
        }
    }
}
