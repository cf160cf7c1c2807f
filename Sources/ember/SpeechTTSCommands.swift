import ArgumentParser
import Ember
import EmberAudio
import EmberData
import EmberModels
import EmberNN
import EmberTrain
import Foundation

/// The synthesizer a checkpoint holds, in eval mode, and its config.
private func synthesizer(_ checkpoint: String) throws -> (model: Synthesizer, config: SynthesizerConfig) {
    let file = try readModelFile(checkpoint)
    guard case let .synthesizer(config) = file.config, let model = try file.model() as? Synthesizer else {
        throw CLIError("\(file.url.path) holds a \(file.config.kind.rawValue) model, not a speech synthesizer")
    }
    model.eval()
    return (model, config)
}

/// `ember speak "four zero seven" --checkpoint RUN --out 407.wav`: a synthesizer's mels
/// for the words, made audible by Griffin-Lim.
struct Speak: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Speak digit words with a trained synthesizer into a WAV file.")

    @Argument(help: "The words, e.g. \"four zero seven\".") var text: String
    @Option(help: "A speech-tts run directory, or its model file.") var checkpoint: String
    @Option(help: "The WAV file to write (22,050 Hz, 16-bit; its name ends in .wav).") var out: String
    @Option(help: "Also draw the spoken log-mels as SVG here.") var spectrogram: String?
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2

    func validate() throws {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the text is empty: give the words to speak") }
        // A name that must end in .wav cannot overwrite a model file or a run's JSON.
        guard out.lowercased().hasSuffix(".wav") else { throw ValidationError("--out must name a .wav file, got '\(out)'") }
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
    }

    func run() throws {
        setNumThreads(threads)
        try reportingErrors {
            let (model, config) = try synthesizer(checkpoint)
            let ids: [Int]
            do {
                ids = try config.phonemeIDs(text)
            } catch let error as ConfigError {
                throw CLIError("cannot say \"\(text)\": \(error)")
            }
            let features = SpokenPhonemes.Features(nMels: config.nMels)
            let mels = model.synthesize(ids)
            let audio = Self.normalized(features.waveform(mels))
            do {
                try WAV.write(audio.unsqueeze(0), sampleRate: features.sampleRate, to: URL(fileURLWithPath: out))
            } catch {
                throw CLIError("cannot write \(out): \(error)")
            }
            if let spectrogram {
                let image = Self.image(mels, features: features, title: "\"\(text)\" as the synthesizer says it")
                do {
                    try image.svg().write(toFile: spectrogram, atomically: true, encoding: .utf8)
                } catch {
                    throw CLIError("cannot write \(spectrogram): \(error.localizedDescription)")
                }
            }
            print(String(format: "wrote %@: \"%@\", %d phonemes, %.2f s", out, text, ids.count,
                         Double(audio.numel) / Double(features.sampleRate)))
        }
    }

    /// The picture of natural-log mels `[F, nMels]`, in decibels.
    static func image(_ logMels: Tensor, features: SpokenPhonemes.Features, title: String) -> SpectrogramImage {
        let (frames, bands) = (logMels.shape[0], logMels.shape[1])
        let decibels = (logMels.transpose(0, 1).to(.float64) * (20 / Foundation.log(10.0))).contiguous().doubles
        let scale = MelScale.htk
        let ticks = [0, 250, 500, 1000, 2000, 4000, 8000].map(Double.init).filter { $0 <= features.fMax }.map {
            (hertz: $0, position: scale.mel($0) / scale.mel(features.fMax))
        }
        return SpectrogramImage(decibels: decibels, bands: bands, frames: frames,
                                frameSeconds: Double(SpokenPhonemes.Features.hop) / Double(features.sampleRate),
                                frequencyTicks: ticks, title: title)
    }

    /// `audio` scaled to a peak of 0.9 when louder (Griffin-Lim does not bound it).
    static func normalized(_ audio: Tensor) -> Tensor {
        let peak = audio.abs().max().item() as Double
        return peak > 0.9 ? audio * (0.9 / peak) : audio
    }
}

/// `ember eval speech-tts --checkpoint RUN [--judge RECOGNIZER_RUN]`: mel-cepstral
/// distortion against the teacher on the unheard test strings, with the teacher's
/// durations and with the predicted ones, and whether a recognizer understands the
/// synthesised digits.
struct EvaluateSpeechTTS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speech-tts", abstract: "Evaluate a speech synthesizer against espeak-ng on unheard digit strings.")

    @Option(help: "A speech-tts run directory, or its model file.") var checkpoint: String
    @Option(help: "Folder of the corpus.") var data: String = SpeechTTSRecipe.directory
    @Option(help: "A speech-digits run whose recognizer should understand the ten synthesised digits.") var judge: String?
    @Option(help: ArgumentHelp("A corpus of the same strings in another voice, for scale.",
                               discussion: "e.g. `ember data speech-tts --voice en-gb --out data/speech-tts-gb` with the same --count and --seed."))
    var reference: String?
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2

    func validate() throws {
        guard threads >= 1 && threads <= TrainingConfig.maxThreads else {
            throw ValidationError("--threads must be from 1 to \(TrainingConfig.maxThreads)")
        }
    }

    func run() throws {
        setNumThreads(threads)
        try reportingErrors {
            let (model, config) = try synthesizer(checkpoint)
            let judgeModel = try judge.map { try RecognizerCheckpointOptions.recognizer(at: $0) }
            let test = try SpokenPhonemes(directory: URL(fileURLWithPath: data), split: "test", vocabulary: config.phonemes, nMels: config.nMels)
            let other = try reference.map { reference in
                let other = try SpokenPhonemes(directory: URL(fileURLWithPath: reference), split: "test", vocabulary: Self.phonemes(of: reference),
                                               nMels: config.nMels)
                guard other.utterances.map(\.text) == test.utterances.map(\.text) else {
                    throw CLIError("\(reference) does not hold the same test strings as \(data): make it with the same --count and --seed")
                }
                return other
            }
            let features = test.features, mcd = MelCepstralDistortion()
            // Each synthesis is heard as a listener would: vocoded, then analysed again.
            func heard(_ mels: Tensor) -> Tensor { features(Speak.normalized(features.waveform(mels))) }
            var (vocoded, teacherTimed, predictedTimed) = (0.0, 0.0, 0.0)
            for i in 0..<test.count {
                let teacher = test.mels[i]
                vocoded += mcd(heard(teacher), teacher)
                teacherTimed += mcd(heard(model.synthesize(test.ids[i], frames: test.frames[i])), teacher)
                predictedTimed += mcd(heard(model.synthesize(test.ids[i])), teacher)
            }
            let n = Double(test.count)
            print(String(format: "synthesizer on %d unheard strings: MCD %.2f dB with the teacher's durations, %.2f dB with predicted ones (Griffin-Lim on the teacher's own mels: %.2f dB)",
                         test.count, teacherTimed / n, predictedTimed / n, vocoded / n))
            // For scale: the teacher against itself saying the next string instead.
            let otherString = (0..<test.count).map { mcd(test.mels[($0 + 1) % test.count], test.mels[$0]) }.reduce(0, +) / n
            var scale = String(format: "for scale: the teacher saying another test string, %.2f dB", otherString)
            if let other {
                let voice = (0..<test.count).map { mcd(other.mels[$0], test.mels[$0]) }.reduce(0, +) / n
                scale += String(format: "; another voice saying the same strings, %.2f dB", voice)
            }
            print(scale)
            guard let judgeModel else { return }
            var understood: [String] = []
            for (digit, word) in SpeechDigits.words.enumerated() {
                let audio = Speak.normalized(features.waveform(model.synthesize(try config.phonemeIDs(word))))
                let mono = Resample(origFreq: features.sampleRate, newFreq: SpokenDigits.sampleRate)(audio).floats
                let (window, _) = Listen.loudestWindow(mono, length: SpeechRecognition.window)
                let heard = SpokenDigits.Features(nMels: judgeModel.config.nMels)(Tensor(window, shape: [1, window.count]))
                let logits = withNoGrad { judgeModel.model(heard) }
                let answer = logits.argmax(dim: 1).ints[0]
                if answer == digit { understood.append(word) }
            }
            print("the recognizer understood \(understood.count) of 10 synthesised digits (\(understood.joined(separator: ", ")))")
        }
    }

    /// Every phoneme the corpus in `directory` uses (another voice may use others).
    private static func phonemes(of directory: String) throws -> [String] {
        let corpus = try SpeechTTS.read(URL(fileURLWithPath: directory).appendingPathComponent("meta.json"))
        return Set(corpus.utterances.flatMap(\.phonemes)).sorted()
    }
}
