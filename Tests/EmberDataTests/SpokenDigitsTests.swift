import Ember
import EmberAudio
@testable import EmberData
import Foundation
import XCTest

/// Spoken digits as log-mels, on a corpus of tones written here (digit d is a tone of
/// 300 + 100·d Hz, 0.4 s at 22,050 Hz): shapes and targets, the clean protocol's
/// left-aligned silence, and the hard protocol's placement, gain and noise.
final class SpokenDigitsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ember-digits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let corpus = SpeechDigits.plan(count: 40, variants: ["a", "b", "c", "d", "e", "f", "g"], seed: 2)
        for u in corpus.utterances {
            let tone = (0..<8_820).map { Float(0.3 * sin(2 * Double.pi * Double(300 + 100 * u.digit) * Double($0) / 22_050)) }
            try WAV.write(Tensor(tone), sampleRate: 22_050, to: directory.appendingPathComponent(u.file))
        }
        try corpus.json().write(to: directory.appendingPathComponent("meta.json"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testTheCleanProtocolIsLeftAlignedLogMels() throws {
        let train = try SpokenDigits(directory: directory, split: "train")
        let corpus = try SpeechDigits.read(directory.appendingPathComponent("meta.json"))
        XCTAssertEqual(train.count, corpus.utterances.filter { $0.split == "train" }.count)
        let batch = train.batch([0, 1, 2])
        XCTAssertEqual(batch.inputs.shape, [3, 1, 40, 151], "1.5 s of 10 ms frames, 40 mels")
        XCTAssertEqual(batch.targets.ints, train.utterances.prefix(3).map(\.digit))
        // After the 0.4 s tone (and a window's reach), only the floor 80 dB down remains.
        let first = batch.inputs[0][0]
        let peak = first.max().item(), late = first.narrow(dim: 1, start: 50, length: 100)
        XCTAssertEqual(late.max().item(), peak - 80, accuracy: 1e-3)
        XCTAssertGreaterThan(first.narrow(dim: 1, start: 5, length: 30).max().item(), peak - 1)
    }

    func testTheHardProtocolPlacesScalesAndAddsNoiseDeterministically() throws {
        let exact = SpokenDigits.Augmentation(snr: 10...10, gain: 0...0)
        let hard = try SpokenDigits(directory: directory, split: "train", augmentation: exact, copies: 4, seed: 5)
        XCTAssertEqual(hard.count, 4 * hard.utterances.count)
        XCTAssertEqual(hard.placed(3), hard.placed(3), "the same sample every time")
        XCTAssertNotEqual(hard.placed(3), hard.placed(3 + hard.utterances.count), "another copy, other draws")
        // Noise at 10 dB: a tenth of the tone's power (0.3² / 2), where there is no tone.
        let clean = try SpokenDigits(directory: directory, split: "train")
        for i in 0..<6 {
            let (noisy, tone) = (hard.placed(i), clean.placed(i))
            let toneLength = 6_400
            // The tone sits where it matches best; elsewhere there is noise only.
            let offset = (0...(noisy.count - toneLength)).min { a, b in
                zip(noisy[a..<(a + toneLength)], tone[0..<toneLength]).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
                    < zip(noisy[b..<(b + toneLength)], tone[0..<toneLength]).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            } ?? 0
            let outside = noisy.indices.filter { $0 < offset || $0 >= offset + toneLength }.map { Double(noisy[$0]) }
            let noisePower = outside.reduce(0) { $0 + $1 * $1 } / Double(outside.count)
            XCTAssertEqual(noisePower / (0.09 / 2), 0.1, accuracy: 0.02, "sample \(i)")
        }
    }

    func testMissingFilesAndSplitsAreNamed() throws {
        XCTAssertThrowsError(try SpokenDigits(directory: directory, split: "dev")) {
            XCTAssertEqual("\($0)", "no split 'dev': the splits are train, validation, test, accent")
        }
        let first = try SpokenDigits(directory: directory, split: "train").utterances[0].file
        try FileManager.default.removeItem(at: directory.appendingPathComponent(first))
        XCTAssertThrowsError(try SpokenDigits(directory: directory, split: "train")) {
            XCTAssertTrue("\($0)".contains("\(first): no such file"), "\($0)")
        }
    }
}

/// A synthesiser's frames: phoneme starts in milliseconds become frame counts that add
/// up to the spectrogram's.
final class SpokenPhonemesFeatureTests: XCTestCase {
    func testPhonemeStartsBecomeFramesThatAddUp() {
        let features = SpokenPhonemes.Features()
        // 84 ms is frame 84 · 22.05 / 256 = 7.2 → 7; 255 ms → 22.0 → 22; the first starts at 0.
        XCTAssertEqual(features.frames(startsMs: [11, 84, 255], total: 30), [7, 15, 8])
        XCTAssertEqual(features.frames(startsMs: [0, 84, 255, 900], total: 25), [7, 15, 3, 0], "a start past the end lasts nothing")
        let tone = Tensor((0..<22_050).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 22_050)) })
        let mels = features(tone)
        XCTAssertEqual(mels.shape, [22_050 / 256 + 1, 80])
        XCTAssertGreaterThanOrEqual(mels.min().item() as Double, SpokenPhonemes.Features.floor - 1e-6)
        // The vocoder gives back the same length, and the tone in the same band.
        let back = features.waveform(mels)
        XCTAssertEqual(back.numel, (mels.shape[0] - 1) * 256)
        let (heard, loudest) = (features(back).argmax(dim: 1).ints, mels.argmax(dim: 1).ints)
        XCTAssertGreaterThan(zip(heard, loudest).filter { $0 == $1 }.count, heard.count * 9 / 10, "Griffin-Lim on a pure tone")
    }
}
