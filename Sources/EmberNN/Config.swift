import Foundation

/// A closed set of names a configuration takes (an architecture, an optimizer, a
/// schedule), by the names users type and files store. Decoding an unknown name throws
/// a one-line error listing the valid ones: never a crash, never a silent default.
public protocol ConfigChoice: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {}

extension ConfigChoice {
    /// Decodes a name, or throws naming the valid ones.
    public init(from decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: Self.unknown(name)))
        }
        self = value
    }

    /// "a, b or c": the valid names, for messages and help.
    public static var names: String {
        let all = allCases.map(\.rawValue)
        return all.count < 2 ? all.joined() : all.dropLast().joined(separator: ", ") + " or " + all[all.count - 1]
    }

    /// "'x' is not a, b or c".
    public static func unknown(_ name: String) -> String { "'\(name)' is not \(names)" }
}

/// A configuration value that cannot build what it describes: the message names the
/// value and what it must be.
public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    /// The configuration keys the message names (snake_case, as files spell them).
    public let keys: [String]

    /// An error that says `description`, naming the configuration `keys` in it.
    public init(keys: [String] = [], _ description: String) {
        self.description = description
        self.keys = keys
    }

    /// The message with each key it names spelled as `spelling` gives it (a command
    /// line's flags: `lr` as `--lr`).
    public func spelling(_ spelling: (String) -> String) -> String {
        var words = description.components(separatedBy: " ")
        for i in words.indices {
            let word = words[i].trimmingCharacters(in: .punctuationCharacters)
            if keys.contains(word) { words[i] = words[i].replacingOccurrences(of: word, with: spelling(word)) }
        }
        return words.joined(separator: " ")
    }
}

/// How configurations are written as JSON in model files and run directories: snake_case
/// keys (nanoGPT's `n_layer`, `block_size`), sorted; and read back with one-line errors
/// that name the key (`model.arch: 'x' is not rnn, lstm or gru`).
public enum ConfigJSON {
    /// A new encoder: one line, or indented for files people read.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return e
    }

    /// A new decoder.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }

    /// `value` as one line of JSON.
    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }

    /// Decodes `data`, throwing a `ConfigError` in one line that names the key at fault.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try decoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ConfigError(message(for: error))
        }
    }

    /// A `DecodingError` in one line: the dotted path of the key, then what is wrong.
    public static func message(for error: DecodingError) -> String {
        func path(_ keys: [CodingKey], last: CodingKey? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            let text = all.map { $0.intValue.map { "[\($0)]" } ?? "." + snakeCase($0.stringValue) }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text.isEmpty ? "the top level" : text
        }
        switch error {
        case let .keyNotFound(key, context): return "\(path(context.codingPath, last: key)) is missing"
        case let .valueNotFound(_, context): return "\(path(context.codingPath)) is missing"
        case let .typeMismatch(type, context): return "\(path(context.codingPath)) is not \(describe(type))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// "a number", "a string", ... for a type mismatch.
    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "what it should be (\(type))"
        }
    }

    /// `camelCase` as the file spells it, `camel_case`.
    private static func snakeCase(_ key: String) -> String {
        var out = ""
        for c in key {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
