import ArgumentParser
import Dispatch
import EmberData
import Foundation

/// `ember data`: makes the data sets Ember trains on that no package ships.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Make a data set.", subcommands: [SpeechDigitsData.self])
}

/// `ember data speech-digits`: the ten digit words spoken by espeak-ng in 7 English
/// accents (and an eighth held out) and its voice variants, at random pitches and
/// speeds, with a `meta.json` describing every file and its split. Synthetic audio:
/// no microphone or speech corpus is needed.
struct SpeechDigitsData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech-digits",
        abstract: "Render spoken digits with espeak-ng (synthetic speech) into a folder of WAV files and meta.json.")

    @Option(help: "Utterances to render.") var count = 10_000
    @Option(help: "The folder to create (it must not exist).") var out = "data/speech-digits"
    @Option(help: "Seed of the voices, pitches, speeds and the variants' split.") var seed: UInt64 = 0
    @Option(help: "The accent heard only in its own split (\(SpeechDigits.accents.joined(separator: ", "))).")
    var heldOutAccent = "en-029"
    @Option(help: "espeak-ng processes at a time.") var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be from 1 to 1000000") }
        guard !out.isEmpty else { throw ValidationError("--out is empty") }
        guard SpeechDigits.accents.contains(heldOutAccent) else {
            throw ValidationError("--held-out-accent must be one of \(SpeechDigits.accents.joined(separator: ", "))")
        }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 64") }
    }

    func run() throws {
        try reportingErrors {
            let destination = URL(fileURLWithPath: out)
            guard !FileManager.default.fileExists(atPath: destination.path) else {
                throw CLIError("\(out) already exists: remove it or choose another --out")
            }
            let espeak = try Espeak()
            let corpus = SpeechDigits.plan(count: count, variants: try espeak.variants(), heldOutAccent: heldOutAccent, seed: seed)
            // Rendered beside the destination and renamed at the end: a stopped run
            // leaves no half-made corpus under the name.
            let staging = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let started = DispatchTime.now()
            do {
                try render(corpus, with: espeak, into: staging)
                try corpus.json().write(to: staging.appendingPathComponent("meta.json"))
                try FileManager.default.moveItem(at: staging, to: destination)
            } catch {
                try? FileManager.default.removeItem(at: staging)
                throw error
            }
            let counts = SpeechDigits.splits.map { split in "\(corpus.utterances.filter { $0.split == split }.count) \(split)" }
            print(String(format: "wrote %@: %d utterances (%@) in %.1f s; synthetic speech by espeak-ng", out, count,
                         counts.joined(separator: ", "), seconds(since: started)))
        }
    }

    /// Renders every utterance of `corpus` into `folder`, `jobs` processes at a time.
    private func render(_ corpus: SpeechDigits, with espeak: Espeak, into folder: URL) throws {
        let failure = Failure()
        let total = corpus.utterances.count
        DispatchQueue.concurrentPerform(iterations: jobs) { job in
            for i in stride(from: job, to: total, by: jobs) where !failure.happened {
                let u = corpus.utterances[i]
                do {
                    try espeak.render(u.text, accent: u.accent, variant: u.variant, pitch: u.pitch, speed: u.speed,
                                      to: folder.appendingPathComponent(u.file))
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw error }
    }
}

/// The first error of concurrent work.
private final class Failure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?

    var error: Error? { lock.withLock { first } }
    var happened: Bool { error != nil }

    func record(_ error: Error) { lock.withLock { if first == nil { first = error } } }
}
