import Ember
import Foundation

/// A corpus of spoken digits that espeak-ng renders: what each file says, in which
/// voice, and in which split, as its `meta.json` holds it. Whole voice variants are held
/// out for validation and test, so test speakers are never heard in training, and one
/// accent is held out altogether (its own split, reported separately).
public struct SpeechDigits: CorpusMetadata, Equatable, Sendable {
    /// One rendered utterance.
    public struct Utterance: Codable, Equatable, Sendable {
        /// The WAV file, relative to the corpus folder.
        public var file: String
        /// The word spoken ("seven") and its digit (7).
        public var text: String, digit: Int
        /// espeak-ng's accent (`en-us`) and voice variant (`m3`).
        public var accent: String, variant: String
        /// espeak-ng's pitch (0–99) and speed (words a minute).
        public var pitch: Int, speed: Int
        /// `train`, `validation`, `test` or `accent` (the held-out accent).
        public var split: String
    }

    /// The digits' words, by digit.
    public static let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    /// espeak-ng's English accents.
    public static let accents = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029", "en-us-nyc"]
    /// The splits, in order.
    public static let splits = ["train", "validation", "test", "accent"]

    /// The sample rate of every file (espeak-ng's only one).
    public var sampleRate: Int
    /// The accent heard only in the `accent` split.
    public var heldOutAccent: String
    /// The utterances, in file order.
    public var utterances: [Utterance]

    /// A plan for `count` utterances (digits in turn, so balanced), each in a voice drawn
    /// with `seed` from `accents` and `variants` (pitch 20–80, speed 120–220): one in
    /// eight in `heldOutAccent`, the rest in the others. The variants are split by name,
    /// about 70% for training and 15% each for validation and test.
    public static func plan(count: Int, variants: [String], heldOutAccent: String = "en-029", seed: UInt64 = 0) -> SpeechDigits {
        precondition(count >= 0 && variants.count >= 3, "SpeechDigits.plan: need a non-negative count and at least 3 variants")
        let others = accents.filter { $0 != heldOutAccent }
        let sorted = variants.sorted()
        let generator = Generator(seed: seed)
        // Every variant's split, drawn once: a shuffled order, cut 70/15/15.
        let order = Tensor.randperm(sorted.count, generator: generator).ints
        var splitOf: [String: String] = [:]
        for (rank, index) in order.enumerated() {
            let share = Double(rank) / Double(sorted.count)
            splitOf[sorted[index]] = share < 0.7 ? "train" : share < 0.85 ? "validation" : "test"
        }
        let draws = Tensor.rand([count, 4], dtype: .float64, generator: generator).doubles
        let utterances = (0..<count).map { i -> Utterance in
            let (a, v, p, s) = (draws[4 * i], draws[4 * i + 1], draws[4 * i + 2], draws[4 * i + 3])
            let heldOut = i % 8 == 7
            let accent = heldOut ? heldOutAccent : others[Swift.min(Int(a * Double(others.count)), others.count - 1)]
            let variant = sorted[Swift.min(Int(v * Double(sorted.count)), sorted.count - 1)]
            return Utterance(file: String(format: "%05d.wav", i), text: words[i % 10], digit: i % 10, accent: accent, variant: variant,
                             pitch: 20 + Int(p * 61), speed: 120 + Int(s * 101), split: heldOut ? "accent" : splitOf[variant] ?? "train")
        }
        return SpeechDigits(sampleRate: 22_050, heldOutAccent: heldOutAccent, utterances: utterances)
    }

    public static let kind = "speech-digits"

    /// Checks known splits, digits that match their words, file names inside the folder
    /// and a sane rate.
    public func check(name: String) throws {
        guard (1...192_000).contains(sampleRate) else { throw DataError("\(name): sample_rate \(sampleRate)") }
        for (n, u) in utterances.enumerated() {
            guard (0..<10).contains(u.digit), Self.words[u.digit] == u.text, Self.splits.contains(u.split),
                  !u.file.isEmpty, !u.file.contains("/"), u.file != "..", u.file.hasSuffix(".wav") else {
                throw DataError("\(name): utterance \(n + 1) (\(u.file)) is not a digit word in a known split and a .wav in the folder")
            }
        }
    }
}
