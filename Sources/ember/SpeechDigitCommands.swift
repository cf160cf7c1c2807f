import ArgumentParser
import Ember
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// `--checkpoint` and `--threads` of the commands that use a spoken-digit recognizer.
struct RecognizerCheckpointOptions: ParsableArguments {
    @Option(help: "A speech-digits run directory, or its model file.") var checkpoint: String
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2

    func validate() throws {
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
    }

    /// The recognizer the checkpoint holds, in eval mode, and its config.
    func recognizer() throws -> (model: any Layer, config: DigitRecognizerConfig, file: URL) {
        try Self.recognizer(at: checkpoint)
    }

    /// The recognizer the run directory or model file at `path` holds, in eval mode.
    static func recognizer(at path: String) throws -> (model: any Layer, config: DigitRecognizerConfig, file: URL) {
        let file = try readModelFile(path)
        guard case let .recognizer(config) = file.config else {
            throw CLIError("\(file.url.path) holds a \(file.config.kind.rawValue) model, not a spoken-digit recognizer")
        }
        let model = try file.model()
        model.eval()
        return (model, config, file.url)
    }
}

extension SpeechProtocol: ExpressibleByArgument {}

/// `ember eval speech-digits --checkpoint RUN`: accuracy on a split of the corpus under
/// a protocol, with the confusion matrix printed and drawn as SVG.
struct EvaluateSpeechDigits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech-digits", abstract: "Evaluate a spoken-digit recognizer on the test voices or the held-out accent.")

    @OptionGroup var options: RecognizerCheckpointOptions
    @Option(help: "Folder of the corpus.") var data: String = SpeechDataOptions.recipe.directory
    @Option(help: "clean (each digit at the start of its window) or hard (random place, gain and noise at 0–20 dB SNR).")
    var `protocol`: SpeechProtocol = .hard
    @Option(help: "The split: test (voices never heard in training), accent (the held-out accent) or validation.")
    var split: String = "test"
    @Option(help: "The confusion matrix's SVG file (default: confusion-SPLIT-PROTOCOL.svg beside the model file).")
    var out: String?

    func validate() throws {
        guard ["test", "accent", "validation"].contains(split) else { throw ValidationError("--split must be test, accent or validation") }
    }

    func run() throws {
        setNumThreads(options.threads)
        try reportingErrors {
            let (model, config, file) = try options.recognizer()
            let dataset = try `protocol`.dataset(data, split: split, nMels: config.nMels)
            let matrix = ConfusionMatrix.of(model, on: DataLoader(dataset, batchSize: 256), labels: SpeechDigits.words)
            let destination = out.map { URL(fileURLWithPath: $0) }
                ?? file.deletingLastPathComponent().appendingPathComponent("confusion-\(split)-\(`protocol`.rawValue).svg")
            let title = "\(split) split, \(`protocol`.rawValue) protocol: \(String(format: "%.2f", 100 * matrix.accuracy))% of \(matrix.total)"
            do {
                try matrix.svg(title: title).write(to: destination, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(destination.path): \(error.localizedDescription)")
            }
            print(matrix.table())
            print(String(format: "recognizer, %@ split, %@ protocol: accuracy %.2f%% on %d utterances; confusion matrix in %@",
                         split, `protocol`.rawValue, 100 * matrix.accuracy, matrix.total, destination.path))
        }
    }
}

/// `ember listen --checkpoint RUN FILE.wav`: which digit a WAV file says, and how sure
/// the recognizer is.
struct Listen: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Recognise the spoken digit in a WAV file.")

    @OptionGroup var options: RecognizerCheckpointOptions
    @Argument(help: "A WAV file (16-bit PCM or 32-bit float, any rate and channels).") var file: String

    func run() throws {
        setNumThreads(options.threads)
        try reportingErrors {
            let (model, config, _) = try options.recognizer()
            let audio = try AudioInput(file, sampleRate: SpokenDigits.sampleRate)
            let samples = audio.mono.floats
            // WAV.read has refused NaN and infinities: the maximum is a number.
            guard let peak = samples.map(abs).max(), peak >= 1e-4 else {
                throw CLIError("\(file) is silent (its loudest sample is below -80 dBFS)")
            }
            let (window, start) = Self.loudestWindow(samples, length: SpeechRecognition.window)
            let features = SpokenDigits.Features(nMels: config.nMels)(Tensor(window, shape: [1, window.count]))
            let probabilities = withNoGrad { model(features).softmax(dim: 1) }.doubles
            let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
            var heard = String(format: "%@: %@ (%d), probability %.1f%%", file, SpeechDigits.words[ranked[0]], ranked[0],
                               100 * probabilities[ranked[0]])
            if samples.count > window.count {
                heard += String(format: "; heard the loudest %.1f s, from %.2f s", Double(window.count) / Double(SpokenDigits.sampleRate),
                                Double(start) / Double(SpokenDigits.sampleRate))
            }
            print(heard)
            for c in ranked.prefix(3).dropFirst() {
                print(String(format: "  then %@ %.1f%%", SpeechDigits.words[c], 100 * probabilities[c]))
            }
        }
    }

    /// The `length` samples of `samples` with the most energy (a longer file's word),
    /// or all of them followed by silence; and where they start.
    static func loudestWindow(_ samples: [Float], length: Int) -> (window: [Float], start: Int) {
        guard samples.count > length else { return (samples + [Float](repeating: 0, count: length - samples.count), 0) }
        var energy = samples.prefix(length).reduce(0.0) { $0 + Double($1 * $1) }
        var (best, bestStart) = (energy, 0)
        for start in 1...(samples.count - length) {
            energy += Double(samples[start + length - 1] * samples[start + length - 1]) - Double(samples[start - 1] * samples[start - 1])
            if energy > best { (best, bestStart) = (energy, start) }
        }
        return (Array(samples[bestStart..<(bestStart + length)]), bestStart)
    }
}
