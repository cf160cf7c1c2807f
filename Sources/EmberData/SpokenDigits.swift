import Ember
import EmberAudio
import Foundation

/// A split of a speech-digits corpus (`ember data speech-digits`) as a dataset of
/// log-mel spectrograms: `[1, nMels, frames]` inputs (decibels, floored 80 dB below each
/// sample's peak) and the digit as an int64 target.
///
/// Every utterance is resampled to 16 kHz once, at load. Each sample then places it in
/// a `window` of silence: at the start (the clean protocol), or, with `augmentation`, at
/// a random offset, scaled by a random gain and under white noise at a random
/// signal-to-noise ratio (the hard protocol). Sample `i` is utterance `i mod N` with the
/// draws seeded by `seed` and `i`, so `copies` > 1 gives each utterance that many
/// different augmented versions, the same in every run.
public struct SpokenDigits: Dataset {
    /// What the hard protocol varies.
    public struct Augmentation: Sendable {
        /// Signal-to-noise ratios drawn from, in dB.
        public var snr: ClosedRange<Double>
        /// Gains drawn from, in dB.
        public var gain: ClosedRange<Double>

        /// Noise at 0–20 dB SNR and gains of ±6 dB.
        public init(snr: ClosedRange<Double> = 0...20, gain: ClosedRange<Double> = -6...6) {
            self.snr = snr
            self.gain = gain
        }
    }

    /// The sample rate utterances are resampled to.
    public static let sampleRate = 16_000
    /// The utterances of the split, in corpus order.
    public let utterances: [SpeechDigits.Utterance]
    /// Their samples at 16 kHz.
    private let waveforms: [[Float]]
    /// Samples in each window (1.5 s by default).
    public let window: Int
    /// Random placement, gain and noise; nil for the clean protocol.
    public let augmentation: Augmentation?
    /// Augmented versions of each utterance.
    public let copies: Int
    /// Seeds the augmentation.
    public let seed: UInt64
    /// The features: 25 ms windows every 10 ms.
    public let melSpectrogram: MelSpectrogram

    /// The utterances of `split` in the corpus folder `directory` (its `meta.json` and
    /// WAV files); throws naming a file that is missing or not what the metadata says.
    public init(directory: URL, split: String, window: Double = 1.5, nMels: Int = 40, augmentation: Augmentation? = nil,
                copies: Int = 1, seed: UInt64 = 0) throws {
        precondition(window > 0 && nMels > 0 && copies > 0, "SpokenDigits: window, nMels and copies must be positive")
        let corpus = try SpeechDigits.read(directory.appendingPathComponent("meta.json"))
        guard SpeechDigits.splits.contains(split) else { throw DataError("no split '\(split)': the splits are \(SpeechDigits.splits.joined(separator: ", "))") }
        utterances = corpus.utterances.filter { $0.split == split }
        guard !utterances.isEmpty else { throw DataError("\(directory.path) has no utterances in its \(split) split") }
        self.window = Int(window * Double(Self.sampleRate))
        guard Resample.isPractical(origFreq: corpus.sampleRate, newFreq: Self.sampleRate) else {
            throw DataError("\(directory.path): a sample rate of \(corpus.sampleRate) Hz cannot be resampled to \(Self.sampleRate) Hz")
        }
        let resample = Resample(origFreq: corpus.sampleRate, newFreq: Self.sampleRate)
        waveforms = try utterances.map { u in
            let (audio, rate) = try WAV.read(directory.appendingPathComponent(u.file))
            guard rate == corpus.sampleRate, audio.shape[0] == 1, audio.shape[1] > 0 else {
                throw DataError("\(directory.appendingPathComponent(u.file).path): \(audio.shape[0]) channels at \(rate) Hz, \(audio.shape[1]) samples; meta.json says mono at \(corpus.sampleRate) Hz")
            }
            return resample(audio[0]).floats
        }
        self.augmentation = augmentation
        self.copies = copies
        self.seed = seed
        melSpectrogram = MelSpectrogram(sampleRate: Self.sampleRate, nFFT: 400, hopLength: 160, nMels: nMels)
    }

    public var count: Int { utterances.count * copies }

    public func batch(_ indices: [Int]) -> Batch {
        let signals = indices.map { placed($0) }
        let features = AmplitudeToDB(topDB: 80)(melSpectrogram(Tensor(signals.flatMap { $0 }, shape: [indices.count, window])))
        let digits = indices.map { Int64(utterances[$0 % utterances.count].digit) }
        return Batch(inputs: features.unsqueeze(1), targets: Tensor(digits))
    }

    /// Sample `i`'s window: the utterance at its place, with its gain and noise.
    func placed(_ i: Int) -> [Float] {
        var signal = waveforms[i % utterances.count]
        if signal.count > window { signal = Array(signal.prefix(window)) }
        var out = [Float](repeating: 0, count: window)
        guard let augmentation else {
            out.replaceSubrange(0..<signal.count, with: signal)
            return out
        }
        let generator = Generator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i))
        let draws = Tensor.rand([3], dtype: .float64, generator: generator).doubles
        let offset = Int(draws[0] * Double(window - signal.count + 1))
        let gain = Float(pow(10, (augmentation.gain.lowerBound + draws[1] * (augmentation.gain.upperBound - augmentation.gain.lowerBound)) / 20))
        let snr = augmentation.snr.lowerBound + draws[2] * (augmentation.snr.upperBound - augmentation.snr.lowerBound)
        let power = signal.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(Swift.max(signal.count, 1)) * Double(gain * gain)
        let noise = Tensor.randn([window], dtype: .float64, generator: generator).doubles
        let deviation = (power / pow(10, snr / 10)).squareRoot()
        for n in 0..<window { out[n] = Float(noise[n] * deviation) }
        for (n, x) in signal.enumerated() { out[offset + n] += gain * x }
        return out
    }
}
