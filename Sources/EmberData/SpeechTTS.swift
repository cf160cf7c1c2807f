import Ember
import Foundation

/// A corpus for speech synthesis: strings of one to four digit words spoken by one
/// espeak-ng voice, each with the phonemes espeak-ng spoke and when each began, as its
/// `meta.json` holds it (`ember data speech-tts` writes it). The test and validation
/// strings are never heard in training; every single word is.
public struct SpeechTTS: CorpusMetadata, Equatable, Sendable {
    /// One rendered string.
    public struct Utterance: Codable, Equatable, Sendable {
        /// The WAV file, relative to the corpus folder.
        public var file: String
        /// What was said ("four zero seven").
        public var text: String
        /// espeak-ng's phoneme mnemonics, in order, pauses (`_`) included.
        public var phonemes: [String]
        /// When each phoneme starts, in milliseconds from the start of the file.
        public var startsMs: [Int]
        /// Samples in the file.
        public var samples: Int
        /// `train`, `validation` or `test`.
        public var split: String

        /// An utterance of `text` in `file`.
        public init(file: String, text: String, phonemes: [String], startsMs: [Int], samples: Int, split: String) {
            (self.file, self.text, self.phonemes, self.startsMs, self.samples, self.split) = (file, text, phonemes, startsMs, samples, split)
        }
    }

    /// The splits, in order.
    public static let splits = ["train", "validation", "test"]
    /// The sample rate of every file (espeak-ng's only one).
    public var sampleRate: Int
    /// The espeak-ng voice.
    public var voice: String
    /// The utterances, in file order.
    public var utterances: [Utterance]

    /// A corpus of `utterances` at `sampleRate` in `voice`.
    public init(sampleRate: Int, voice: String, utterances: [Utterance]) {
        (self.sampleRate, self.voice, self.utterances) = (sampleRate, voice, utterances)
    }

    /// `count` distinct texts (at least the ten single words, which all train), drawn
    /// with `seed`: strings of two to four digit words, a tenth of them held out for
    /// validation and a tenth for test. Returns the texts and their splits.
    public static func plan(count: Int, seed: UInt64 = 0) -> [(text: String, split: String)] {
        precondition(count >= 10 && count <= 5_000, "SpeechTTS.plan: count \(count) must be from 10 to 5,000")
        var texts = SpeechDigits.words.map { ($0, "train") }
        var seen = Set(texts.map(\.0))
        let generator = Generator(seed: seed)
        while texts.count < count {
            let draws = Tensor.randint(0, 10, [5], generator: generator).ints
            let words = draws.prefix(2 + draws[4] % 3).map { SpeechDigits.words[$0] }
            let text = words.joined(separator: " ")
            guard seen.insert(text).inserted else { continue }
            let n = texts.count - 10
            texts.append((text, n % 10 == 8 ? "validation" : n % 10 == 9 ? "test" : "train"))
        }
        return texts
    }

    public static let kind = "speech-tts"

    /// Checks known splits, file names inside the folder, a sane rate, and one start
    /// per phoneme, in order, within its file.
    public func check(name: String) throws {
        guard (1...192_000).contains(sampleRate) else { throw DataError("\(name): sample_rate \(sampleRate)") }
        for (n, u) in utterances.enumerated() {
            let lengthMs = Double(u.samples) * 1000 / Double(sampleRate)
            guard Self.splits.contains(u.split), !u.file.isEmpty, !u.file.contains("/"), u.file != "..", u.file.hasSuffix(".wav"),
                  !u.phonemes.isEmpty, u.phonemes.count == u.startsMs.count, u.samples > 0, u.samples <= 60 * sampleRate,
                  zip(u.startsMs, u.startsMs.dropFirst()).allSatisfy({ $0 <= $1 }),
                  let first = u.startsMs.first, first >= 0, let last = u.startsMs.last, Double(last) <= lengthMs,
                  u.phonemes.allSatisfy({ !$0.isEmpty && $0.count <= 8 }) else {
                throw DataError("\(name): utterance \(n + 1) (\(u.file)) needs a .wav in the folder, a known split, and one start per phoneme, in order, within its \(u.samples) samples")
            }
        }
    }
}
