import Foundation

/// The `espeak-align` program (built from this package, the only one that links
/// espeak-ng's GPL-3 C API; run, never linked): speaks texts in one voice into WAV files
/// and says which phonemes it spoke and when each began.
public struct EspeakAligner: Sendable {
    /// What was spoken for one text.
    public struct Alignment: Equatable, Sendable {
        /// Samples in its WAV file (22,050 Hz).
        public var samples: Int
        /// espeak-ng's phoneme mnemonics, in order.
        public var phonemes: [String]
        /// When each starts, in milliseconds.
        public var startsMs: [Int]
    }

    /// The program.
    public let executable: URL

    /// `espeak-align` beside the running program (`swift build` puts them together);
    /// throws saying how to build it.
    public init(besides program: URL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()) throws {
        executable = program.deletingLastPathComponent().appendingPathComponent("espeak-align")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw DataError("\(executable.path) is missing: build it with `swift build -c release --product espeak-align` (it needs libespeak-ng-dev, which scripts/setup installs)")
        }
    }

    /// Speaks `text` in `voice` into the WAV file `url` and returns what was spoken;
    /// throws with the program's own message if it fails.
    public func speak(_ text: String, voice: String, to url: URL) throws -> Alignment {
        let (output, errors) = (url.appendingPathExtension("out"), url.appendingPathExtension("err"))
        defer { for file in [output, errors] { try? FileManager.default.removeItem(at: file) } }
        let status = try Subprocess.run(executable.path, ["espeak-align", voice, text, url.path], output: output, errors: errors)
        guard status == 0 else {
            let said = ((try? String(contentsOf: errors, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw DataError(said.isEmpty ? "espeak-align could not say \"\(text)\": exit status \(status)" : said)
        }
        let fields = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace)
        let pairs = fields.dropFirst()
        let starts = stride(from: pairs.startIndex + 1, to: pairs.endIndex, by: 2).compactMap { Int(pairs[$0]) }
        guard let samples = fields.first.flatMap({ Int($0) }), pairs.count % 2 == 0, starts.count == pairs.count / 2 else {
            throw DataError("espeak-align said \"\(text)\" but did not report its samples and phonemes")
        }
        return Alignment(samples: samples, phonemes: stride(from: pairs.startIndex, to: pairs.endIndex, by: 2).map { String(pairs[$0]) },
                         startsMs: starts)
    }
}
