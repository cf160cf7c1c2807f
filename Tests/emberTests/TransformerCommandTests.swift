import Ember
import Foundation
import XCTest

/// `ember train gpt`, `ember train bert`, `ember generate` (cached and not) and `ember
/// fill` end to end on a small generated text.
final class TransformerCommandTests: XCTestCase {
    private var directory: URL!
    private var corpus: URL { directory.appendingPathComponent("corpus.txt") }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-transformer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try String(repeating: "To be, or not to be: that is the question.\n", count: 60).write(to: corpus, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private let small = ["--layers", "2", "--heads", "2", "--embed", "16", "--context", "32", "--batch-size", "8",
                         "--eval-every", "40", "--eval-batches", "4", "--lr", "0.005"]

    private func summary(_ run: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/summary.json"))) as! [String: Any]
    }

    func testTrainGPTThenGenerateWithAndWithoutTheCache() throws {
        let run = directory.appendingPathComponent("gpt").path
        let trained = try runEmber(["train", "gpt", "--corpus", corpus.path, "--out", run, "--steps", "120", "--warmup", "10"] + small)
        XCTAssertEqual(trained.status, 0, trained.err)
        let figures = try summary(run)
        for key in ["train_loss", "val_loss", "best_val_loss", "train_tokens_per_sec", "median_step_tokens_per_sec", "wall_s"] {
            XCTAssertNotNil(figures[key], key)
        }
        // A repeated line is easy: the loss falls far below log(vocabulary) ≈ 3.
        XCTAssertLessThan(figures["val_loss"] as! Double, 1.0)
        let config = try String(contentsOfFile: "\(run)/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"kind\" : \"gpt\""), config)

        // Within the 32-character context the cached and uncached paths agree exactly.
        let prompt = "To be, or"
        let cached = try runEmber(["generate", "--checkpoint", run, "--prompt", prompt, "--tokens", "20", "--seed", "5"])
        let uncached = try runEmber(["generate", "--checkpoint", run, "--prompt", prompt, "--tokens", "20", "--seed", "5", "--no-kv-cache"])
        XCTAssertEqual(cached.status, 0, cached.err)
        XCTAssertEqual(cached.out, uncached.out)
        XCTAssertTrue(cached.out.hasPrefix(prompt))
        // Past the context generation goes on.
        let long = try runEmber(["generate", "--checkpoint", run, "--prompt", prompt, "--tokens", "100", "--temperature", "0"])
        XCTAssertEqual(long.status, 0, long.err)
        XCTAssertEqual(long.out.count, prompt.count + 100 + 1)

        let resumed = try runEmber(["train", "gpt", "--resume", run, "--steps", "160"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming \(run) after step 120 of 160"), resumed.out)

        // The same weights as a nanoGPT state dict without Ember's description: generate
        // says what is missing, then runs once told.
        let (tensors, metadata) = try SafeTensors.read(URL(fileURLWithPath: "\(run)/model.safetensors"))
        let bare = directory.appendingPathComponent("nanogpt.safetensors"), vocab = directory.appendingPathComponent("vocab.json")
        try SafeTensors.write(tensors, to: bare)
        try Data(try XCTUnwrap(metadata["vocab"]).utf8).write(to: vocab)
        let noHeads = try runEmber(["generate", "--checkpoint", bare.path, "--vocab", vocab.path])
        XCTAssertEqual(noHeads.err, "error: \(bare.path): a nanoGPT file's shapes do not give its attention heads: pass --heads N (or add metadata 'n_head')\n")
        let noVocab = try runEmber(["generate", "--checkpoint", bare.path, "--heads", "2"])
        XCTAssertEqual(noVocab.err, "error: \(bare.path): a nanoGPT file needs its characters: add metadata 'vocab' (a JSON array of strings) or pass --vocab FILE\n")
        let imported = try runEmber(["generate", "--checkpoint", bare.path, "--heads", "2", "--vocab", vocab.path, "--prompt", prompt,
                                     "--tokens", "20", "--seed", "5"])
        XCTAssertEqual(imported.status, 0, imported.err)
        let original = try runEmber(["generate", "--checkpoint", run, "--prompt", prompt, "--tokens", "20", "--seed", "5"])
        XCTAssertEqual(imported.out, original.out, "the same model, the same text")
    }

    func testTrainBERTThenFillIn() throws {
        let run = directory.appendingPathComponent("bert").path
        // Masked-language models sit at the unigram loss for a while before they use the
        // context (PyTorch's encoder does the same on this text): enough steps to get past it.
        let trained = try runEmber(["train", "bert", "--corpus", corpus.path, "--out", run, "--steps", "1000", "--dropout", "0",
                                    "--layers", "2", "--heads", "2", "--embed", "32", "--context", "32", "--batch-size", "16",
                                    "--eval-every", "250", "--eval-batches", "4", "--lr", "0.005", "--mask-prob", "0.3",
                                    "--warmup", "40"])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertLessThan(try summary(run)["val_loss"] as! Double, 1.2)
        let filled = try runEmber(["fill", "--checkpoint", run, "--text", "To be, or not to b_: that is"])
        XCTAssertEqual(filled.status, 0, filled.err)
        let lines = filled.out.split(separator: "\n")
        XCTAssertEqual(lines.first, "To be, or not to be: that is")
        XCTAssertTrue(lines[1].hasPrefix("blank 1 (character 19): e "), filled.out)

        let generate = try runEmber(["generate", "--checkpoint", run])
        XCTAssertEqual(generate.status, 1)
        XCTAssertTrue(generate.err.contains("holds a BERT"), generate.err)
        let inVocabulary = try runEmber(["fill", "--checkpoint", run, "--text", "To be", "--mask-char", "e"])
        XCTAssertEqual(inVocabulary.err, "error: 'e' is a character of the model's vocabulary; choose another --mask-char\n")
    }

    func testBadInputGetsOneLine() throws {
        let odd = try runEmber(["train", "gpt", "--embed", "10", "--heads", "4"])
        XCTAssertEqual(odd.status, 64)
        XCTAssertTrue(odd.err.contains("--embed 10 must be a multiple of --heads 4"), odd.err)

        // A GPT file whose weights do not fit its metadata is refused, naming them.
        let run = directory.appendingPathComponent("gpt").path
        XCTAssertEqual(try runEmber(["train", "gpt", "--corpus", corpus.path, "--out", run, "--steps", "1"] + small).status, 0)
        let model = try Data(contentsOf: URL(fileURLWithPath: "\(run)/model.safetensors"))
        let headerSize = Int(model.prefix(8).withUnsafeBytes { $0.load(as: UInt64.self) })
        var header = String(decoding: model[8..<(8 + headerSize)], as: UTF8.self)
        XCTAssertTrue(header.contains(#"\"n_layer\":2"#), header)
        header = header.replacingOccurrences(of: #"\"n_layer\":2"#, with: #"\"n_layer\":3"#)
        var edited = Data(model.prefix(8))
        edited.append(Data(header.utf8))
        edited.append(model[(8 + headerSize)...])
        let file = directory.appendingPathComponent("edited.safetensors")
        try edited.write(to: file)
        let refused = try runEmber(["generate", "--checkpoint", file.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.err.contains("the tensors do not fit the gpt model its metadata describes"), refused.err)
        XCTAssertTrue(refused.err.contains("missing: transformer.h.2.ln_1.weight"), refused.err)
    }
}
