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

/// `ember speak "four zero seven" --checkpoint RUN --out 407.wav [--spectrogram 407.svg]`:
/// a synthesizer's mels for the words, made audible by Griffin-Lim, and drawn below
/// espeak-ng's own for the same words.
struct Speak: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Speak digit words with a trained synthesizer into a WAV file.")

    @Argument(help: "The words, e.g. \"four zero seven\".") var text: String
    @Option(help: "A speech-tts run directory, or its model file.") var checkpoint: String
    @Option(help: "The WAV file to write (22,050 Hz, 16-bit; its name ends in .wav).") var out: String
    @Option(help: "Also draw the spoken log-mels as SVG here, below espeak-ng's for the same text (its teacher).") var spectrogram: String?
    @Option(help: "Threads for Ember and OpenBLAS.") var threads: Int = 2

    func validate() throws {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the text is empty: give the words to speak") }
        // Names that must end in .wav and .svg cannot overwrite a model file or a run's JSON.
        guard out.lowercased().hasSuffix(".wav") else { throw ValidationError("--out must name a .wav file, got '\(out)'") }
        guard spectrogram.map({ $0.lowercased().hasSuffix(".svg") }) ?? true else {
            throw ValidationError("--spectrogram must name a .svg file, got '\(spectrogram ?? "")'")
        }
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
            let audio = try Self.normalized(features.waveform(mels))
            var images = [Self.image(mels, features: features, title: "\"\(text)\" as the synthesizer says it")]
            if spectrogram != nil {
                do {
                    guard let voice = config.voice else { throw CLIError("the model file does not name the espeak-ng voice that taught it") }
                    let teacher = try Self.teacher(text, voice: voice, features: features)
                    images.insert(Self.image(teacher, features: features, title: "\"\(text)\" as espeak-ng (\(voice)) says it"), at: 0)
                } catch {
                    FileHandle.standardError.write(Data("note: only the synthesizer's spectrogram is drawn: \(error)\n".utf8))
                }
            }
            do {
                try WAV.write(audio.unsqueeze(0), sampleRate: features.sampleRate, to: URL(fileURLWithPath: out))
            } catch {
                throw CLIError("cannot write \(out): \(error)")
            }
            if let spectrogram {
                do {
                    try SpectrogramImage.svg(images).write(toFile: spectrogram, atomically: true, encoding: .utf8)
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

    /// espeak-ng's own log-mels `[F, nMels]` for `text` in `voice` (the teacher's, as the
    /// synthesizer learned them), spoken by `espeak-align` into a file that is removed
    /// afterwards; throws if the voice is unknown or the program is missing.
    static func teacher(_ text: String, voice: String, features: SpokenPhonemes.Features) throws -> Tensor {
        let aligner = try EspeakAligner()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ember-teacher-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try aligner.speak(text, voice: voice, to: url)
        let (audio, rate) = try WAV.read(url)
        guard rate == features.sampleRate, audio.shape[0] == 1 else {
            throw CLIError("espeak-align spoke \(audio.shape[0]) channels at \(rate) Hz, not mono at \(features.sampleRate) Hz")
        }
        return features(audio[0])
    }

    /// `audio` scaled to a peak of 0.9 when louder (Griffin-Lim does not bound it);
    /// throws if a sample is not a number, rather than write one.
    static func normalized(_ audio: Tensor) throws -> Tensor {
        let peak = audio.abs().max().item() as Double
        guard peak.isFinite else { throw CLIError("the vocoder made audio that is not finite (peak \(peak)); nothing written") }
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
                               discussion: "e.g. `ember data speech-tts --voice en-us+f2 --out data/speech-tts-f2` with the same --count and --seed."))
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
                let corpus = try SpeechTTS.read(URL(fileURLWithPath: reference).appendingPathComponent("meta.json"))
                let other = try SpokenPhonemes(directory: URL(fileURLWithPath: reference), split: "test",
                                               vocabulary: Set(corpus.utterances.flatMap(\.phonemes)).sorted(), nMels: config.nMels)
                guard other.utterances.map(\.text) == test.utterances.map(\.text) else {
                    throw CLIError("\(reference) does not hold the same test strings as \(data): make it with the same --count and --seed")
                }
                return (voice: corpus.voice, strings: other, digits: try Self.digits(in: reference, features: test.features))
            }
            let features = test.features, mcd = MelCepstralDistortion()
            let digits = try Self.digits(in: data, features: features)
            // Each synthesis is heard as a listener would: vocoded, then analysed again.
            func heard(_ mels: Tensor) throws -> Tensor { features(try Speak.normalized(features.waveform(mels))) }
            func mean(_ scores: [Double]) -> Double { scores.reduce(0, +) / Double(scores.count) }
            var (vocoded, teacherTimed, predictedTimed) = ([Double](), [Double](), [Double]())
            for i in 0..<test.count {
                let teacher = test.mels[i]
                vocoded.append(mcd(try heard(teacher), teacher))
                teacherTimed.append(mcd(try heard(model.synthesize(test.ids[i], frames: test.frames[i])), teacher))
                predictedTimed.append(mcd(try heard(model.synthesize(test.ids[i])), teacher))
            }
            print(String(format: "synthesizer on %d unheard strings: MCD %.2f dB with the teacher's durations, %.2f dB with predicted ones",
                         test.count, mean(teacherTimed), mean(predictedTimed)))
            // For scale: the vocoder alone, the teacher saying something else, another voice saying the same.
            let otherString = mean((0..<test.count).map { mcd(test.mels[($0 + 1) % test.count], test.mels[$0]) })
            let otherDigit = mean(digits.indices.flatMap { a in digits.indices.filter { $0 != a }.map { mcd(digits[$0], digits[a]) } })
            var scale = String(format: "for scale: Griffin-Lim on the teacher's own mels %.2f dB; the teacher saying another string %.2f dB, a different digit %.2f dB",
                               mean(vocoded), otherString, otherDigit)
            if let other {
                let sameStrings = mean((0..<test.count).map { mcd(other.strings.mels[$0], test.mels[$0]) })
                let sameDigits = mean(digits.indices.map { mcd(other.digits[$0], digits[$0]) })
                scale += String(format: "; %@ saying the same strings %.2f dB, the same digits %.2f dB", other.voice, sameStrings, sameDigits)
            }
            print(scale)
            guard let judgeModel else { return }
            var understood: [String] = []
            for (digit, word) in SpeechDigits.words.enumerated() {
                let audio = try Speak.normalized(features.waveform(model.synthesize(try config.phonemeIDs(word))))
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

    /// The log-mels of the ten digit words, zero to nine, as the corpus in `directory`
    /// says them on their own; throws naming a missing one.
    private static func digits(in directory: String, features: SpokenPhonemes.Features) throws -> [Tensor] {
        let folder = URL(fileURLWithPath: directory)
        let corpus = try SpeechTTS.read(folder.appendingPathComponent("meta.json"))
        return try SpeechDigits.words.map { word in
            guard let u = corpus.utterances.first(where: { $0.text == word }) else { throw CLIError("\(directory) holds no '\(word)' on its own") }
            let (audio, rate) = try WAV.read(folder.appendingPathComponent(u.file))
            guard rate == features.sampleRate, audio.shape[0] == 1 else {
                throw CLIError("\(folder.appendingPathComponent(u.file).path): \(audio.shape[0]) channels at \(rate) Hz, not mono at \(features.sampleRate) Hz")
            }
            return features(audio[0])
        }
    }
}
