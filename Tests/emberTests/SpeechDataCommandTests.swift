import Ember
import EmberAudio
import EmberData
import Foundation
import XCTest

/// `ember data speech-digits` end to end with espeak-ng (which scripts/setup installs):
/// WAV files that read back, a meta.json that describes them, whole voices held out,
/// the same corpus for the same seed, and nothing overwritten.
final class SpeechDataCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        do {
            _ = try Espeak()
        } catch {
            // CI installs it through scripts/setup: there its absence is a failure.
            if ProcessInfo.processInfo.environment["CI"] != nil { throw error }
            throw XCTSkip("\(error)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-speech-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testDigitsAreRenderedDescribedAndReproducible() throws {
        let out = directory.appendingPathComponent("digits").path
        let made = try runEmber(["data", "speech-digits", "--count", "40", "--out", out, "--seed", "3"])
        XCTAssertEqual(made.status, 0, made.err)
        XCTAssertTrue(made.out.hasPrefix("wrote \(out): 40 utterances (") && made.out.contains("synthetic speech by espeak-ng"), made.out)
        let corpus = try SpeechDigits.read(URL(fileURLWithPath: "\(out)/meta.json"))
        XCTAssertEqual(corpus.utterances.count, 40)
        XCTAssertEqual(corpus.sampleRate, 22_050)
        for u in corpus.utterances {
            let (waveform, rate) = try WAV.read(URL(fileURLWithPath: "\(out)/\(u.file)"))
            XCTAssertEqual(rate, 22_050, u.file)
            XCTAssertEqual(waveform.shape[0], 1, u.file)
            XCTAssertGreaterThan(waveform.shape[1], 2_205, "\(u.file): longer than 0.1 s")
            XCTAssertGreaterThan(waveform.abs().max().item(), 0.05, "\(u.file): not silent")
        }
        XCTAssertEqual(corpus.utterances.filter { $0.split == "accent" }.map(\.accent), [String](repeating: "en-029", count: 5))
        XCTAssertFalse(corpus.utterances.contains { $0.split != "accent" && $0.accent == "en-029" })
        // The same seed gives the same voices and the same samples.
        let again = directory.appendingPathComponent("again").path
        XCTAssertEqual(try runEmber(["data", "speech-digits", "--count", "40", "--out", again, "--seed", "3", "--jobs", "1"]).status, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(again)/meta.json")), try Data(contentsOf: URL(fileURLWithPath: "\(out)/meta.json")))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(again)/00007.wav")), try Data(contentsOf: URL(fileURLWithPath: "\(out)/00007.wav")))
        // An existing folder is left alone.
        let refused = try runEmber(["data", "speech-digits", "--count", "10", "--out", out])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.err, "error: \(out) already exists: remove it or choose another --out\n")
        XCTAssertEqual(try SpeechDigits.read(URL(fileURLWithPath: "\(out)/meta.json")), corpus)
    }
}
