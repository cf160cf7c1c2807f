import Foundation
import XCTest

/// `ember train charlm` and `ember generate` end to end on a small generated text: the
/// run directory, streaming seeded generation, resume, and one-line errors.
final class CharLMCommandTests: XCTestCase {
    private var directory: URL!
    private var corpus: URL { directory.appendingPathComponent("corpus.txt") }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-charlm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try String(repeating: "To be, or not to be: that is the question.\n", count: 60).write(to: corpus, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private let small = ["--embed", "8", "--hidden", "32", "--seq-len", "16", "--batch-size", "8", "--eval-every", "20", "--eval-batches", "4"]

    func testTrainGenerateAndResume() throws {
        let run = directory.appendingPathComponent("run").path
        let trained = try runEmber(["train", "charlm", "--arch", "gru", "--corpus", corpus.path, "--out", run, "--steps", "60", "--lr", "0.01"] + small)
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("step 60: train loss"), trained.out)
        for file in ["config.json", "metrics.jsonl", "summary.json", "model.safetensors", "checkpoint.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(run)/\(file)"), file)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/summary.json"))) as! [String: Any]
        for key in ["train_loss", "val_loss", "best_val_loss", "steps", "train_tokens_per_sec", "wall_s"] {
            XCTAssertNotNil(summary[key], key)
        }
        XCTAssertEqual(summary["steps"] as? Int, 60)
        XCTAssertLessThan(summary["val_loss"] as! Double, 2.0)
        let records = try String(contentsOfFile: "\(run)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(records.count, 3)
        XCTAssertTrue(records[0].contains("\"tokens_per_sec\""))

        let a = try runEmber(["generate", "--checkpoint", run, "--prompt", "To be", "--tokens", "50", "--seed", "3"])
        let b = try runEmber(["generate", "--checkpoint", run, "--prompt", "To be", "--tokens", "50", "--seed", "3"])
        XCTAssertEqual(a.status, 0, a.err)
        XCTAssertEqual(a.out, b.out)
        XCTAssertTrue(a.out.hasPrefix("To be"))
        XCTAssertEqual(a.out.count, "To be".count + 50 + 1)
        XCTAssertTrue(a.err.contains("tokens/s"))

        let resumed = try runEmber(["train", "charlm", "--resume", run, "--steps", "80"])
        XCTAssertEqual(resumed.status, 0, resumed.err)
        XCTAssertTrue(resumed.out.contains("resuming \(run) after step 60 of 80"), resumed.out)
        XCTAssertTrue(resumed.out.contains("step 80: train loss"), resumed.out)
    }

    func testBadInputGetsOneLine() throws {
        let run = directory.appendingPathComponent("run").path
        let missing = try runEmber(["train", "charlm", "--corpus", directory.appendingPathComponent("none.txt").path, "--out", run])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.hasPrefix("error: missing \(directory.path)/none.txt: build it with scripts/setup"), missing.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run), "no run directory for a run that never started")

        XCTAssertEqual(try runEmber(["train", "charlm", "--corpus", corpus.path, "--out", run, "--steps", "20"] + small).status, 0)
        let unknown = try runEmber(["generate", "--checkpoint", run, "--prompt", "Zebra"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.err, "error: the character \"Z\" is not in the model's vocabulary\n")

        // Resuming on a text with other characters is refused, naming the difference.
        try String(repeating: "Something else entirely!\n", count: 60).write(to: corpus, atomically: true, encoding: .utf8)
        let other = try runEmber(["train", "charlm", "--resume", run, "--steps", "40"])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.err.hasPrefix("error: cannot resume \(run) on this corpus: the vocabularies differ"), other.err)

        let classifier = try runEmber(["generate", "--checkpoint", "\(directory.path)/none"])
        XCTAssertEqual(classifier.err, "error: no such checkpoint: \(directory.path)/none\n")
        let badArch = try runEmber(["train", "charlm", "--arch", "transformer"])
        XCTAssertEqual(badArch.status, 64)
        XCTAssertTrue(badArch.err.contains("'transformer' is invalid for '--arch <arch>'. Please provide one of 'rnn', 'lstm' or 'gru'"), badArch.err)
    }
}
