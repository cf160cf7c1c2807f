import Ember
import EmberData
import Foundation
import XCTest

/// The speech-digits plan: balanced digits, voices in range, whole variants held out,
/// one accent apart; and a meta.json that is checked when read.
final class SpeechDigitsTests: XCTestCase {
    private let variants = (1...40).map { "v\($0)" }

    func testSplitsHoldOutWholeVariantsAndOneAccent() {
        let corpus = SpeechDigits.plan(count: 4_000, variants: variants, heldOutAccent: "en-gb-scotland", seed: 1)
        XCTAssertEqual(corpus.utterances.count, 4_000)
        XCTAssertEqual(Dictionary(grouping: corpus.utterances, by: \.digit).mapValues(\.count), Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, 400) }))
        XCTAssertTrue(corpus.utterances.allSatisfy { (20...80).contains($0.pitch) && (120...220).contains($0.speed) })
        let speakers = corpus.utterances.filter { $0.split != "accent" }
        let variantsBySplit = Dictionary(grouping: speakers, by: \.split).mapValues { Set($0.map(\.variant)) }
        XCTAssertEqual(Set(variantsBySplit.keys), ["train", "validation", "test"])
        XCTAssertTrue(variantsBySplit["train"]!.isDisjoint(with: variantsBySplit["test"]!))
        XCTAssertTrue(variantsBySplit["train"]!.isDisjoint(with: variantsBySplit["validation"]!))
        XCTAssertTrue(variantsBySplit["validation"]!.isDisjoint(with: variantsBySplit["test"]!))
        XCTAssertEqual(variantsBySplit["train"]!.count, 28, "70% of 40 variants")
        XCTAssertEqual(corpus.utterances.filter { $0.split == "accent" }.count, 500)
        XCTAssertTrue(corpus.utterances.allSatisfy { ($0.accent == "en-gb-scotland") == ($0.split == "accent") })
        XCTAssertEqual(Set(speakers.map(\.accent)).count, 7)
        XCTAssertEqual(SpeechDigits.plan(count: 50, variants: variants, seed: 1), SpeechDigits.plan(count: 50, variants: variants.reversed(), seed: 1),
                       "the plan depends on the variants' names, not their order")
    }

    func testMetadataIsCheckedWhenRead() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meta-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        var corpus = SpeechDigits.plan(count: 20, variants: variants)
        try corpus.json().write(to: url)
        XCTAssertEqual(try SpeechDigits.read(url), corpus)
        for spoil in [{ (c: inout SpeechDigits) in c.utterances[3].digit = 4 }, { $0.utterances[0].file = "../../etc/passwd.wav" },
                      { $0.utterances[1].split = "holdout" }, { $0.sampleRate = 0 }] {
            var spoiled = corpus
            spoil(&spoiled)
            try spoiled.json().write(to: url)
            XCTAssertThrowsError(try SpeechDigits.read(url)) { XCTAssertTrue("\($0)".hasPrefix(url.path), "\($0)") }
        }
        corpus.utterances = []
        try Data("{\"sample_rate\": 1}".utf8).write(to: url)
        XCTAssertThrowsError(try SpeechDigits.read(url)) { XCTAssertTrue("\($0)".contains("is not a speech-digits meta.json"), "\($0)") }
    }
}
