import ArgumentParser
import Dispatch
import EmberData
import Foundation

/// `ember data`: makes the data sets Ember trains on that no package ships.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Make a data set.", subcommands: [SpeechDigitsData.self, SpeechTTSData.self])
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
            try refuseExisting(out)
            let espeak = try Espeak()
            let corpus = SpeechDigits.plan(count: count, variants: try espeak.variants(), heldOutAccent: heldOutAccent, seed: seed)
            let started = DispatchTime.now()
            try staged(out) { staging in
                try concurrently(corpus.utterances.count, jobs: jobs) { i in
                    let u = corpus.utterances[i]
                    try espeak.render(u.text, accent: u.accent, variant: u.variant, pitch: u.pitch, speed: u.speed,
                                      to: staging.appendingPathComponent(u.file))
                }
                try corpus.json().write(to: staging.appendingPathComponent("meta.json"))
            }
            let counts = SpeechDigits.splits.map { split in "\(corpus.utterances.filter { $0.split == split }.count) \(split)" }
            print(String(format: "wrote %@: %d utterances (%@) in %.1f s; synthetic speech by espeak-ng", out, count,
                         counts.joined(separator: ", "), seconds(since: started)))
        }
    }
}

/// `ember data speech-tts`: strings of one to four digit words spoken by one espeak-ng
/// voice, with the phonemes spoken and when each began (from libespeak-ng, through the
/// separate `espeak-align` program), for training a synthesiser. Test and validation
/// strings are never heard in training.
struct SpeechTTSData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech-tts",
        abstract: "Render digit strings with espeak-ng (synthetic speech), with phonemes and their timings, for speech synthesis.")

    @Option(help: "Utterances to render (the ten single words and distinct strings of two to four).") var count = 2_000
    @Option(help: "The folder to create (it must not exist).") var out = "data/speech-tts"
    @Option(help: "The espeak-ng voice.") var voice = "en-us"
    @Option(help: "Seed of the strings.") var seed: UInt64 = 0
    @Option(help: "espeak-align processes at a time.") var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard (10...5_000).contains(count) else { throw ValidationError("--count must be from 10 to 5000") }
        guard !out.isEmpty else { throw ValidationError("--out is empty") }
        guard !voice.isEmpty, voice.allSatisfy({ $0.isLetter || $0.isNumber || "-+_".contains($0) }) else {
            throw ValidationError("--voice must be an espeak-ng voice name such as en-us or en-gb+m3")
        }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 64") }
    }

    func run() throws {
        try reportingErrors {
            try refuseExisting(out)
            let aligner = try EspeakAligner()
            let plan = SpeechTTS.plan(count: count, seed: seed)
            let started = DispatchTime.now()
            let corpus = try staged(out) { staging -> SpeechTTS in
                let names = plan.indices.map { String(format: "%05d.wav", $0) }
                let spoken = Spoken()
                try concurrently(plan.count, jobs: jobs) { i in
                    spoken.add(i, try aligner.speak(plan[i].text, voice: voice, to: staging.appendingPathComponent(names[i])))
                }
                let alignments = spoken.all
                let corpus = SpeechTTS(sampleRate: 22_050, voice: voice, utterances: plan.indices.compactMap { i in
                    alignments[i].map {
                        SpeechTTS.Utterance(file: names[i], text: plan[i].text, phonemes: $0.phonemes, startsMs: $0.startsMs,
                                            samples: $0.samples, split: plan[i].split)
                    }
                })
                try corpus.json().write(to: staging.appendingPathComponent("meta.json"))
                // What was written must read back as a corpus (phonemes in order, within their files).
                _ = try SpeechTTS.read(staging.appendingPathComponent("meta.json"))
                return corpus
            }
            let counts = SpeechTTS.splits.map { split in "\(corpus.utterances.filter { $0.split == split }.count) \(split)" }
            let phonemes = Set(corpus.utterances.flatMap(\.phonemes))
            print(String(format: "wrote %@: %d utterances (%@), %d distinct phonemes, in %.1f s; synthetic speech by espeak-ng (%@)", out,
                         corpus.utterances.count, counts.joined(separator: ", "), phonemes.count, seconds(since: started), voice))
        }
    }
}

/// Alignments gathered from concurrent jobs, by utterance.
private final class Spoken: @unchecked Sendable {
    private let lock = NSLock()
    private var alignments: [Int: EspeakAligner.Alignment] = [:]

    var all: [Int: EspeakAligner.Alignment] { lock.withLock { alignments } }

    func add(_ i: Int, _ alignment: EspeakAligner.Alignment) { lock.withLock { alignments[i] = alignment } }
}

/// Throws unless nothing is at `out` yet.
private func refuseExisting(_ out: String) throws {
    guard !FileManager.default.fileExists(atPath: out) else { throw CLIError("\(out) already exists: remove it or choose another --out") }
}

/// Makes the folder `out` with `make`, which fills a hidden staging folder beside it:
/// renamed to `out` when `make` returns (what it returns is returned), removed when it
/// throws, so a stopped or failed run leaves no half-made data set under the name.
@discardableResult
private func staged<T>(_ out: String, _ make: (URL) throws -> T) throws -> T {
    let destination = URL(fileURLWithPath: out)
    let staging = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    do {
        let made = try make(staging)
        try FileManager.default.moveItem(at: staging, to: destination)
        return made
    } catch {
        try? FileManager.default.removeItem(at: staging)
        throw error
    }
}

/// Runs `body` for 0..<count, `jobs` at a time (job j takes j, j + jobs, …); stops
/// starting new ones at the first error, and throws it.
private func concurrently(_ count: Int, jobs: Int, _ body: @Sendable (Int) throws -> Void) throws {
    let failure = Failure()
    DispatchQueue.concurrentPerform(iterations: jobs) { job in
        for i in stride(from: job, to: count, by: jobs) where !failure.happened {
            do {
                try body(i)
            } catch {
                failure.record(error)
            }
        }
    }
    if let error = failure.error { throw error }
}

/// The first error of concurrent work.
private final class Failure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?

    var error: Error? { lock.withLock { first } }
    var happened: Bool { error != nil }

    func record(_ error: Error) { lock.withLock { if first == nil { first = error } } }
}
