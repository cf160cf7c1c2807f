import Ember
import Foundation

/// A rendered corpus's `meta.json` (`SpeechDigits`, `SpeechTTS`): written and read the
/// same way for every corpus (indented JSON, snake_case keys, sorted), and checked by
/// the corpus itself before anything uses it.
public protocol CorpusMetadata: Codable {
    /// The corpus in messages ("speech-digits").
    static var kind: String { get }
    /// Throws naming the first value that cannot be right (`name`, the file, for messages).
    func check(name: String) throws
}

extension CorpusMetadata {
    /// The corpus as `meta.json` holds it.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The corpus the `meta.json` at `url` describes (at most 256 MB), checked.
    public static func read(_ url: URL) throws -> Self {
        let data: Data
        do {
            data = try RegularFile.contents(of: url, limit: 256 << 20)
        } catch {
            throw DataError("cannot read \(error)")
        }
        return try decode(data, name: url.path)
    }

    /// The corpus a `meta.json`'s bytes describe (`name` for messages), checked.
    public static func decode(_ data: Data, name: String) throws -> Self {
        let corpus: Self
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            corpus = try decoder.decode(Self.self, from: data)
        } catch {
            throw DataError("\(name) is not a \(kind) meta.json: \(error)")
        }
        try corpus.check(name: name)
        return corpus
    }
}
