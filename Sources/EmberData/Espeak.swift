import Foundation

/// The `espeak-ng` program (Debian's `espeak-ng`, GPL-3: run, never linked), to render
/// words as WAV files: 22,050 Hz mono 16-bit, deterministic for the same text and voice.
public struct Espeak: Sendable {
    /// The program.
    public let executable: URL

    /// The `espeak-ng` on `PATH` (or in /usr/bin); throws saying how to install it.
    public init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("espeak-ng") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw DataError("espeak-ng is not installed: apt-get install espeak-ng (scripts/setup installs it)")
        }
        executable = found
    }

    /// The voice variants espeak-ng offers (`m3`, `f2`, `klatt`, …), from its data folder;
    /// names with spaces are left out (its `-v` option cannot take them).
    public func variants() throws -> [String] {
        let folders = ["/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v", "/usr/lib/aarch64-linux-gnu/espeak-ng-data/voices/!v",
                       "/usr/share/espeak-ng-data/voices/!v", "/usr/lib/espeak-ng-data/voices/!v"]
        for folder in folders {
            if let names = try? FileManager.default.contentsOfDirectory(atPath: folder), !names.isEmpty {
                return names.filter { !$0.contains(" ") }.sorted()
            }
        }
        throw DataError("cannot find espeak-ng's voice variants (its voices/!v folder)")
    }

    /// Renders `text` in `accent` + `variant` at `pitch` and `speed` into the WAV file
    /// `url`, at amplitude 60 (louder clips about one rendering in 25); throws with
    /// espeak-ng's own message if it fails.
    public func render(_ text: String, accent: String, variant: String, pitch: Int, speed: Int, to url: URL) throws {
        let arguments = ["espeak-ng", "-v", "\(accent)+\(variant)", "-p", "\(pitch)", "-s", "\(speed)", "-a", "60", "-w", url.path, "--", text]
        let errors = url.appendingPathExtension("err")
        defer { try? FileManager.default.removeItem(at: errors) }
        let status = try Subprocess.run(executable.path, arguments, errors: errors)
        guard status == 0, FileManager.default.fileExists(atPath: url.path) else {
            let said = ((try? String(contentsOf: errors, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw DataError("espeak-ng could not say \"\(text)\" as \(accent)+\(variant): \(said.isEmpty ? "exit status \(status)" : said)")
        }
    }
}
