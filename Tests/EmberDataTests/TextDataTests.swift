import XCTest
import Ember
@testable import EmberData

/// Character vocabularies, the corpus split, token windows and random-window batches.
final class TextDataTests: XCTestCase {
    func testVocabularyIsSortedAndRoundTrips() throws {
        let vocabulary = CharVocabulary(text: "hello, world\n")
        XCTAssertEqual(vocabulary.string, "\n ,dehlorw")
        let encoded = try vocabulary.encode("world, hello")
        XCTAssertEqual(encoded.first, 9)
        XCTAssertEqual(vocabulary.decode(encoded), "world, hello")
        XCTAssertThrowsError(try vocabulary.encode("hello!")) { error in
            XCTAssertEqual("\(error)", "the character \"!\" is not in the model's vocabulary")
        }
    }

    func testVocabularyDifferenceNamesTheCharacters() {
        let a = CharVocabulary(text: "abc"), b = CharVocabulary(text: "abd")
        XCTAssertNil(a.difference(from: CharVocabulary(text: "cab")))
        XCTAssertEqual(a.difference(from: b), "the vocabularies differ (3 characters against 3); only in the first: \"c\"; only in the second: \"d\"")
    }

    func testCorpusSplitsNinetyTenAndRejectsTooShortText() throws {
        let corpus = try TextCorpus(text: String(repeating: "abcdefghij", count: 10))
        XCTAssertEqual(corpus.train.shape, [90])
        XCTAssertEqual(corpus.validation.shape, [10])
        XCTAssertEqual(corpus.vocabulary.count, 10)
        XCTAssertEqual(corpus.train.ints.prefix(3), [0, 1, 2])
        XCTAssertThrowsError(try TextCorpus(text: "abc", name: "tiny.txt")) { error in
            XCTAssertEqual("\(error)", "tiny.txt has 3 characters: too short to split into training and validation text")
        }
        XCTAssertThrowsError(try TextCorpus(path: "/nonexistent/corpus.txt", hint: "run scripts/setup")) { error in
            XCTAssertEqual("\(error)", "missing /nonexistent/corpus.txt: run scripts/setup")
        }
    }

    func testWindowTargetsAreTheNextTokens() {
        let windows = TokenWindows(Tensor(Array(0..<10)), length: 4)
        XCTAssertEqual(windows.count, 6)
        let batch = windows.batch([0, 5])
        XCTAssertEqual(batch.inputs.shape, [2, 4])
        XCTAssertEqual(batch.inputs.ints, [0, 1, 2, 3, 5, 6, 7, 8])
        XCTAssertEqual(batch.targets.ints, [1, 2, 3, 4, 6, 7, 8, 9])
    }

    func testRandomDrawsAreSeededPerEpochAndWithReplacement() {
        let windows = TokenWindows(Tensor(Array(0..<100)), length: 8)
        let loader = DataLoader(windows, batchSize: 5, seed: 3, samplesPerEpoch: 200)
        XCTAssertEqual(loader.count, 40)
        let first = loader.batchIndices(epoch: 0), again = loader.batchIndices(epoch: 0)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, loader.batchIndices(epoch: 1))
        let drawn = first.flatMap { $0 }
        XCTAssertEqual(drawn.count, 200)
        XCTAssertTrue(drawn.allSatisfy { (0..<windows.count).contains($0) })
        // 200 draws from 92 windows must repeat some: drawn with replacement.
        XCTAssertLessThan(Set(drawn).count, 200)
    }
}
