import Ember
import EmberAudio
import EmberData
import Foundation
import XCTest

/// `ember train speech-digits`, `ember eval speech-digits` and `ember listen` end to end
/// on a corpus of tones written here (digit d is a tone of 300 · 1.3^d Hz, 0.4 s at
/// 22,050 Hz, its loudness varied; neighbouring tones stay apart under the training's
/// ±10% speed changes): a small recognizer learns them under noise, the
/// evaluation prints and draws its confusion matrix, `listen` names a file's digit, and
/// bad input gets one line.
final class SpeechDigitCommandTests: XCTestCase {
    private var directory: URL!
    private var corpus: String { directory.appendingPathComponent("tones").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-listen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        let plan = SpeechDigits.plan(count: 240, variants: ["a", "b", "c", "d", "e", "f", "g"], seed: 4)
        for (i, u) in plan.utterances.enumerated() {
            let amplitude = 0.1 + 0.4 * Double(i % 7) / 6
            let hertz = 300 * pow(1.3, Double(u.digit))
            let tone = (0..<8_820).map { Float(amplitude * sin(2 * Double.pi * hertz * Double($0) / 22_050)) }
            try WAV.write(Tensor(tone), sampleRate: 22_050, to: URL(fileURLWithPath: corpus).appendingPathComponent(u.file))
        }
        try plan.json().write(to: URL(fileURLWithPath: corpus).appendingPathComponent("meta.json"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testTrainEvaluateAndListen() throws {
        let run = directory.appendingPathComponent("run").path
        let trained = try runEmber(["train", "speech-digits", "--data", corpus, "--width", "16", "--epochs", "6", "--copies", "4",
                                    "--batch-size", "16", "--lr", "1e-2", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.err)
        XCTAssertTrue(trained.out.contains("held-out accent"), trained.out)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(run)/summary.json"))) as! [String: Any]
        // Far above chance (10%) on voices and an accent it never heard, after 240 steps.
        for key in ["test_clean", "test_hard", "accent_clean", "accent_hard"] {
            XCTAssertGreaterThan(summary[key] as? Double ?? 0, 0.6, "\(key) in \(summary)")
        }
        let history = try String(contentsOfFile: "\(run)/metrics.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        XCTAssertEqual(history.count, 6)
        let (first, last) = (history[0]["val_loss"] as? Double ?? 0, history[5]["val_loss"] as? Double ?? .infinity)
        XCTAssertLessThan(last, first / 2, "the validation loss falls")

        let evaluated = try runEmber(["eval", "speech-digits", "--checkpoint", run, "--data", corpus, "--protocol", "clean", "--split", "accent"])
        XCTAssertEqual(evaluated.status, 0, evaluated.err)
        let table = evaluated.out.split(separator: "\n")
        XCTAssertEqual(table.count, 12, "a header, ten rows and the accuracy: \(evaluated.out)")
        XCTAssertTrue(table[1].hasPrefix("0 zero ") && table[10].hasPrefix("9 nine "), evaluated.out)
        XCTAssertTrue(table[11].hasPrefix("recognizer, accent split, clean protocol: accuracy "), evaluated.out)
        let svg = try String(contentsOfFile: "\(run)/confusion-accent-clean.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("accent split, clean protocol") && svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(svg.components(separatedBy: "<rect x=").count - 1, 100, "a cell for each pair of classes")

        // A tone of 300 · 1.3⁷ Hz is a seven; in a longer, stereo file at another rate it is found.
        let tone = (0..<96_000).map { n -> Float in
            (24_000..<36_000).contains(n) ? Float(0.3 * sin(2 * Double.pi * 300 * pow(1.3, 7) * Double(n) / 48_000)) : 0
        }
        let file = directory.appendingPathComponent("seven.wav")
        try WAV.write(Tensor(tone + tone, shape: [2, tone.count]), sampleRate: 48_000, to: file)
        let heard = try runEmber(["listen", "--checkpoint", run, file.path])
        XCTAssertEqual(heard.status, 0, heard.err)
        XCTAssertTrue(heard.out.hasPrefix("\(file.path): seven (7), probability "), heard.out)
        XCTAssertTrue(heard.out.contains("heard the loudest 1.5 s, from "), heard.out)
    }

    func testBadInputGetsOneLine() throws {
        let run = directory.appendingPathComponent("run").path
        XCTAssertEqual(try runEmber(["train", "speech-digits", "--data", corpus, "--width", "4", "--epochs", "1", "--copies", "1",
                                     "--out", run]).status, 0)
        let silent = directory.appendingPathComponent("silent.wav")
        try WAV.write(Tensor([Float](repeating: 0, count: 8_000)), sampleRate: 16_000, to: silent)
        XCTAssertEqual(try runEmber(["listen", "--checkpoint", run, silent.path]).err,
                       "error: \(silent.path) is silent (its loudest sample is below -80 dBFS)\n")
        let truncated = directory.appendingPathComponent("truncated.wav")
        try Data(try Data(contentsOf: silent).prefix(30)).write(to: truncated)
        let cut = try runEmber(["listen", "--checkpoint", run, truncated.path])
        XCTAssertEqual(cut.status, 1)
        XCTAssertTrue(cut.err.hasPrefix("error: \(truncated.path)") && cut.err.split(separator: "\n").count == 1, cut.err)
        let missing = try runEmber(["listen", "--checkpoint", run, directory.appendingPathComponent("none.wav").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err.split(separator: "\n").count, 1, missing.err)
        // A corpus file (here of the held-out accent, read before training starts) of another
        // rate than its meta.json says is named; nothing is written.
        try WAV.write(Tensor([Float](repeating: 0.1, count: 800)), sampleRate: 16_000, to: URL(fileURLWithPath: corpus).appendingPathComponent("00007.wav"))
        let other = directory.appendingPathComponent("other").path
        let wrongRate = try runEmber(["train", "speech-digits", "--data", corpus, "--out", other])
        XCTAssertEqual(wrongRate.status, 1)
        XCTAssertTrue(wrongRate.err.contains("00007.wav: 1 channels at 16000 Hz"), wrongRate.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: other))
        XCTAssertEqual(try runEmber(["train", "speech-digits", "--copies", "0", "--out", other]).status, 64)
        // A model of another task is not a recognizer.
        let series = directory.appendingPathComponent("series").path
        XCTAssertEqual(try runEmber(["train", "series", "--points", "300", "--epochs", "1", "--window", "8", "--out", series]).status, 0)
        XCTAssertEqual(try runEmber(["listen", "--checkpoint", series, silent.path]).err,
                       "error: \(series)/model.safetensors holds a series model, not a spoken-digit recognizer\n")
    }
}
