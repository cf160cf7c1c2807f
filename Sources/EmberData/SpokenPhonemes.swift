import Ember
import EmberAudio
import Foundation

/// A split of a speech-tts corpus (`ember data speech-tts`) as a synthesiser learns it:
/// each utterance's phoneme ids with how many mel frames each lasts, and its log-mel
/// frames. A batch's inputs are `[N, 2, T]` int64 (ids, then frames, zero-padded) and
/// its targets `[N, F, nMels]` log-mels (padded with the floor, log 1e-5).
///
/// The mels are the usual TTS ones at the corpus's 22,050 Hz: 1,024-sample windows
/// every 256 samples (11.6 ms), 80 bands up to 8 kHz, natural log of the magnitude. A
/// phoneme that starts at `t` ms starts at frame `round(t · rate / 256 / 1000)` (the
/// first at frame 0) and lasts until the next one starts (the last until the end), so
/// the frames of an utterance add up to its spectrogram's.
public struct SpokenPhonemes: Dataset {
    /// The utterances of the split, in corpus order.
    public let utterances: [SpeechTTS.Utterance]
    /// Each utterance's phoneme ids and their frames.
    public let ids: [[Int]], frames: [[Int]]
    /// Each utterance's log-mels, `[F, nMels]`.
    public let mels: [Tensor]
    /// The features.
    public let features: Features

    /// The utterances of `split` in the corpus folder `directory`, with phoneme `p`
    /// as id `vocabulary.firstIndex(of: p) + 1`; throws naming a missing or mismatched
    /// file, or a phoneme outside `vocabulary`.
    public init(directory: URL, split: String, vocabulary: [String], nMels: Int = 80) throws {
        let corpus = try SpeechTTS.read(directory.appendingPathComponent("meta.json"))
        guard SpeechTTS.splits.contains(split) else { throw DataError("no split '\(split)': the splits are \(SpeechTTS.splits.joined(separator: ", "))") }
        utterances = corpus.utterances.filter { $0.split == split }
        guard !utterances.isEmpty else { throw DataError("\(directory.path) has no utterances in its \(split) split") }
        features = Features(sampleRate: corpus.sampleRate, nMels: nMels)
        let idOf = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($0.element, $0.offset + 1) })
        var (ids, frames, mels) = ([[Int]](), [[Int]](), [Tensor]())
        for u in utterances {
            let url = directory.appendingPathComponent(u.file)
            let (audio, rate) = try WAV.read(url)
            guard rate == corpus.sampleRate, audio.shape == [1, u.samples] else {
                throw DataError("\(url.path): \(audio.shape[0]) channels of \(audio.shape[1]) samples at \(rate) Hz; meta.json says \(u.samples) mono at \(corpus.sampleRate) Hz")
            }
            let known = try u.phonemes.map { p -> Int in
                guard let id = idOf[p] else { throw DataError("\(url.path): phoneme '\(p)' is not in the model's \(vocabulary.count)") }
                return id
            }
            let mel = features(audio[0])
            ids.append(known)
            frames.append(features.frames(startsMs: u.startsMs, total: mel.shape[0]))
            mels.append(mel)
        }
        (self.ids, self.frames, self.mels) = (ids, frames, mels)
    }

    public var count: Int { utterances.count }

    public func batch(_ indices: [Int]) -> Batch {
        let t = indices.map { ids[$0].count }.max() ?? 0, f = indices.map { mels[$0].shape[0] }.max() ?? 0
        var inputs = [Int64](repeating: 0, count: indices.count * 2 * t)
        for (n, i) in indices.enumerated() {
            for (j, id) in ids[i].enumerated() { inputs[n * 2 * t + j] = Int64(id) }
            for (j, d) in frames[i].enumerated() { inputs[n * 2 * t + t + j] = Int64(d) }
        }
        let targets = indices.map { i -> Tensor in
            let mel = mels[i], padding = f - mel.shape[0]
            return padding == 0 ? mel : Tensor.cat([mel, Tensor.full([padding, mel.shape[1]], Features.floor)], dim: 0)
        }
        return Batch(inputs: Tensor(inputs, shape: [indices.count, 2, t]), targets: Tensor.stack(targets, dim: 0))
    }
}

extension SpokenPhonemes {
    /// A synthesiser's mels: 1,024-sample windows every 256 samples, bands up to 8 kHz,
    /// natural log of the magnitude floored at 1e-5.
    public struct Features: Sendable {
        /// log(1e-5): silence.
        public static let floor = Foundation.log(1e-5)
        /// Samples between frames.
        public static let hop = 256
        /// The audio's rate.
        public let sampleRate: Int
        /// The top of the highest band: 8 kHz, or the Nyquist frequency if lower.
        public let fMax: Double
        /// The magnitude mel spectrogram.
        public let melSpectrogram: MelSpectrogram

        /// Features of `nMels` bands for audio at `sampleRate`.
        public init(sampleRate: Int = 22_050, nMels: Int = 80) {
            self.sampleRate = sampleRate
            fMax = Swift.min(8_000, Double(sampleRate) / 2)
            melSpectrogram = MelSpectrogram(sampleRate: sampleRate, nFFT: 1024, hopLength: Self.hop, fMax: fMax, nMels: nMels, power: 1)
        }

        /// `[samples]` → log-mels `[samples / 256 + 1, nMels]`.
        public func callAsFunction(_ audio: Tensor) -> Tensor {
            melSpectrogram(audio).clamp(min: 1e-5).log().transpose(0, 1).contiguous()
        }

        /// Audio whose features approximate `logMels` (`[F, nMels]`): the mels back to a
        /// linear spectrogram (`InverseMelScale`), then phases by Griffin-Lim, 32
        /// iterations: `[(F - 1) · 256]` samples at `sampleRate`.
        public func waveform(_ logMels: Tensor, generator: Generator = Generator(seed: 0)) -> Tensor {
            let magnitudes = InverseMelScale(nStft: 513, nMels: logMels.shape[1], sampleRate: sampleRate, fMax: fMax)(
                logMels.exp().transpose(0, 1).contiguous())
            return GriffinLim(nFFT: 1024, hopLength: Self.hop, power: 1)(magnitudes, generator: generator)
        }

        /// The frames of each phoneme starting at `startsMs` in an utterance of `total`
        /// frames: from its start's frame to the next one's, the first from frame 0.
        public func frames(startsMs: [Int], total: Int) -> [Int] {
            let bounds = startsMs.enumerated().map { i, ms in
                i == 0 ? 0 : Swift.min(Int((Double(ms) * Double(sampleRate) / Double(Self.hop) / 1000).rounded()), total)
            } + [total]
            return zip(bounds.dropFirst(), bounds).map { Swift.max($0 - $1, 0) }
        }
    }
}
