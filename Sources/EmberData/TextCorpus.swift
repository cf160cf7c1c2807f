import Ember
import Foundation

/// The characters a character-level model reads and writes, each with an index (its
/// position in sorted order, as nanoGPT's `chars = sorted(set(text))`).
public struct CharVocabulary: Equatable, Sendable {
    /// The characters, by index.
    public let characters: [Character]
    private let index: [Character: Int]

    /// The distinct characters of `text`, sorted by Unicode scalar value.
    public init(text: String) {
        self.init(characters: Array(Set(text)).sorted { $0.unicodeScalars.first!.value < $1.unicodeScalars.first!.value })
    }

    /// A vocabulary of `characters` in that order; they must be distinct.
    public init(characters: [Character]) {
        precondition(Set(characters).count == characters.count, "CharVocabulary: characters must be distinct")
        self.characters = characters
        index = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, $0) })
    }

    /// Number of characters.
    public var count: Int { characters.count }

    /// The characters as one string (how a model file stores them).
    public var string: String { String(characters) }

    /// The index of each character of `text`; throws naming the first one not in the
    /// vocabulary.
    public func encode(_ text: String) throws -> [Int] {
        try text.map { c in
            guard let i = index[c] else { throw DataError("the character \(c.debugDescription) is not in the model's vocabulary") }
            return i
        }
    }

    /// How `other` differs from this vocabulary, in words, or nil if they are equal.
    public func difference(from other: CharVocabulary) -> String? {
        guard self != other else { return nil }
        let mine = Set(characters), theirs = Set(other.characters)
        func list(_ s: Set<Character>) -> String { s.sorted().map(\.debugDescription).joined(separator: " ") }
        var parts = ["the vocabularies differ (\(count) characters against \(other.count))"]
        if !mine.subtracting(theirs).isEmpty { parts.append("only in the first: \(list(mine.subtracting(theirs)))") }
        if !theirs.subtracting(mine).isEmpty { parts.append("only in the second: \(list(theirs.subtracting(mine)))") }
        if mine == theirs { parts.append("same characters in another order") }
        return parts.joined(separator: "; ")
    }

    /// The text of `indices`.
    public func decode(_ indices: [Int]) -> String {
        String(indices.map { characters[$0] })
    }
}

/// A text file as a sequence of character indices, split into a training part (the
/// first `trainFraction`) and a validation part (the rest), as nanoGPT's
/// `shakespeare_char` prepares it.
public struct TextCorpus {
    /// The vocabulary of the whole text.
    public let vocabulary: CharVocabulary
    /// Character indices of the training part, `[N]` int64.
    public let train: Tensor
    /// Character indices of the validation part, `[M]` int64.
    public let validation: Tensor

    /// Reads `path` (UTF-8) and splits it; throws a one-line error naming the file if it
    /// is missing, unreadable, or too short to split.
    public init(path: String, trainFraction: Double = 0.9, hint: String = "") throws {
        guard FileManager.default.fileExists(atPath: path) else { throw DataError("missing \(path)" + (hint.isEmpty ? "" : ": \(hint)")) }
        let data: Data
        do {
            data = try RegularFile.contents(atPath: path)
        } catch {
            throw DataError("cannot read \(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw DataError("\(path) cannot be read as UTF-8 text") }
        try self.init(text: text, trainFraction: trainFraction, name: path)
    }

    /// Splits `text` (`name` is used in error messages).
    public init(text: String, trainFraction: Double = 0.9, name: String = "the text") throws {
        precondition(trainFraction > 0 && trainFraction < 1, "TextCorpus: trainFraction must be in (0, 1), got \(trainFraction)")
        vocabulary = CharVocabulary(text: text)
        let indices = try vocabulary.encode(text)
        let cut = Int(trainFraction * Double(indices.count))
        guard cut >= 2 && indices.count - cut >= 2 else {
            throw DataError("\(name) has \(indices.count) characters: too short to split into training and validation text")
        }
        train = Tensor(Array(indices[..<cut]))
        validation = Tensor(Array(indices[cut...]))
    }
}

/// Every window of `length + 1` consecutive tokens of a sequence, as a dataset: sample
/// `i` has inputs `tokens[i ..< i + length]` and targets `tokens[i + 1 ... i + length]`
/// (the next token at each position). With a `DataLoader` that draws with replacement
/// (`samplesPerEpoch`), batches are random windows, as nanoGPT's `get_batch`.
public struct TokenWindows: Dataset {
    /// The tokens, `[N]` int64.
    public let tokens: Tensor
    /// Tokens per window.
    public let length: Int
    private let values: [Int64]

    /// The windows of `length` over `tokens` (`[N]` int64, N > length).
    public init(_ tokens: Tensor, length: Int) {
        precondition(tokens.ndim == 1 && tokens.dtype == .int64, "TokenWindows: tokens \(OpMessage.format(tokens.shape)) must be 1-D int64")
        precondition(length > 0 && tokens.shape[0] > length,
                     "TokenWindows: \(tokens.shape[0]) tokens hold no window of \(length) plus a target")
        self.tokens = tokens
        self.length = length
        values = tokens.scalars(as: Int64.self)
    }

    /// One window per start position that leaves room for its targets.
    public var count: Int { values.count - length }

    /// Inputs `[B, length]` and targets `[B, length]`, int64.
    public func batch(_ indices: [Int]) -> Batch {
        var inputs: [Int64] = [], targets: [Int64] = []
        inputs.reserveCapacity(indices.count * length)
        targets.reserveCapacity(indices.count * length)
        for i in indices {
            inputs += values[i..<(i + length)]
            targets += values[(i + 1)...(i + length)]
        }
        return Batch(inputs: Tensor(inputs, shape: [indices.count, length]), targets: Tensor(targets, shape: [indices.count, length]))
    }
}
