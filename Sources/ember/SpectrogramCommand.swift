import ArgumentParser
import Ember
import EmberAudio
import Foundation

/// `ember spectrogram FILE.wav`: the file's log-mel spectrogram as an SVG image, as the
/// speech models see it (mono, resampled to 16 kHz, 25 ms windows every 10 ms).
struct SpectrogramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spectrogram",
        abstract: "Draw a WAV file's log-mel spectrogram (time, frequency on the mel scale, decibels) as SVG.")

    @Argument(help: "A WAV file (16-bit PCM or 32-bit float, any rate and channels).") var file: String
    @Option(help: "The SVG file to write (default: FILE with .svg for .wav).") var out: String?
    @Option(help: "Mel bands.") var nMels: Int = 80
    @Option(help: "Sample rate the audio is resampled to first.") var sampleRate: Int = 16_000

    /// Where the image goes.
    private var destination: String { out ?? (file.hasSuffix(".wav") ? String(file.dropLast(4)) : file) + ".svg" }

    func validate() throws {
        guard (1...512).contains(nMels) else { throw ValidationError("--n-mels must be from 1 to 512") }
        guard (1_000...192_000).contains(sampleRate) else { throw ValidationError("--sample-rate must be from 1000 to 192000") }
        guard URL(fileURLWithPath: destination).standardizedFileURL != URL(fileURLWithPath: file).standardizedFileURL else {
            throw ValidationError("--out \(destination) is the input file")
        }
    }

    func run() throws {
        try reportingErrors {
            let audio = try AudioInput(file, sampleRate: sampleRate)
            let (nFFT, hop) = (sampleRate / 40, sampleRate / 100)
            guard audio.mono.numel > nFFT / 2 else {
                throw CLIError("\(file) is \(String(format: "%.3f", audio.seconds)) s long: too short for one \(nFFT * 1000 / sampleRate) ms window")
            }
            let mel = MelSpectrogram(sampleRate: sampleRate, nFFT: nFFT, hopLength: hop, nMels: nMels)
            let decibels = AmplitudeToDB(topDB: 80)(mel(audio.mono))
            let (bands, frames) = (decibels.shape[0], decibels.shape[1])
            let top = Double(sampleRate / 2), scale = MelScale.htk
            let ticks = [0, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000].map(Double.init).filter { $0 <= top }.map {
                (hertz: $0, position: scale.mel($0) / scale.mel(top))
            }
            let image = SpectrogramImage(decibels: decibels.to(.float64).contiguous().doubles, bands: bands, frames: frames,
                                         frameSeconds: Double(hop) / Double(sampleRate), frequencyTicks: ticks,
                                         title: "\(URL(fileURLWithPath: file).lastPathComponent): \(bands) mel bands, \(sampleRate) Hz")
            do {
                try image.svg().write(toFile: destination, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(destination): \(error.localizedDescription)")
            }
            print("wrote \(destination): \(frames) frames of \(bands) mel bands (\(String(format: "%.2f", audio.seconds)) s at \(audio.fileRate) Hz, \(audio.channels) channel\(audio.channels == 1 ? "" : "s"))")
        }
    }
}
