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
        /// The chance that a sample has noise added (training may leave some clean).
        public var noiseProbability: Double
        /// Speed factors drawn from: the utterance resampled to play this much faster,
        /// which moves its pitch and formants too (Kaldi's speed perturbation).
        public var speed: ClosedRange<Double>

        /// Noise at 0–20 dB SNR on every sample, gains of ±6 dB and the speech's own
        /// speed: the hard protocol.
        public init(snr: ClosedRange<Double> = 0...20, gain: ClosedRange<Double> = -6...6, noiseProbability: Double = 1,
                    speed: ClosedRange<Double> = 1...1) {
            precondition(noiseProbability >= 0 && noiseProbability <= 1,
                         "SpokenDigits.Augmentation: noiseProbability \(noiseProbability) must be in [0, 1]")
            precondition(speed.lowerBound > 0, "SpokenDigits.Augmentation: speed factors \(speed) must be positive")
            self.snr = snr
            self.gain = gain
            self.noiseProbability = noiseProbability
            self.speed = speed
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
    public private(set) var augmentation: Augmentation?
    /// Augmented versions of each utterance.
    public private(set) var copies: Int
    /// Seeds the augmentation.
    public private(set) var seed: UInt64
    /// The features of every window.
    public let features: Features

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
        features = Features(nMels: nMels)
    }

    /// The same utterances (read once) under another protocol: `augmentation`, or none
    /// for the clean one, with `copies` versions of each drawn with `seed`.
    public func augmented(_ augmentation: Augmentation?, copies: Int = 1, seed: UInt64 = 0) -> SpokenDigits {
        precondition(copies > 0, "SpokenDigits.augmented: copies must be positive, got \(copies)")
        var other = self
        (other.augmentation, other.copies, other.seed) = (augmentation, copies, seed)
        return other
    }

    public var count: Int { utterances.count * copies }

    public func batch(_ indices: [Int]) -> Batch {
        let signals = indices.map { placed($0) }
        let digits = indices.map { Int64(utterances[$0 % utterances.count].digit) }
        return Batch(inputs: features(Tensor(signals.flatMap { $0 }, shape: [indices.count, window])), targets: Tensor(digits))
    }

    /// Sample `i`'s window: the utterance at its speed and place, with its gain and noise.
    func placed(_ i: Int) -> [Float] {
        var signal = waveforms[i % utterances.count]
        var out = [Float](repeating: 0, count: window)
        guard let augmentation else {
            if signal.count > window { signal = Array(signal.prefix(window)) }
            out.replaceSubrange(0..<signal.count, with: signal)
            return out
        }
        let generator = Generator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i))
        let draws = Tensor.rand([5], dtype: .float64, generator: generator).doubles
        func drawn(_ range: ClosedRange<Double>, _ u: Double) -> Double { range.lowerBound + u * (range.upperBound - range.lowerBound) }
        let speed = drawn(augmentation.speed, draws[4])
        if speed != 1 { signal = Self.played(signal, faster: speed) }
        if signal.count > window { signal = Array(signal.prefix(window)) }
        let offset = Int(draws[0] * Double(window - signal.count + 1))
        let gain = Float(pow(10, drawn(augmentation.gain, draws[1]) / 20))
        let snr = drawn(augmentation.snr, draws[2])
        let power = signal.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(Swift.max(signal.count, 1)) * Double(gain * gain)
        if draws[3] < augmentation.noiseProbability {
            let noise = Tensor.randn([window], dtype: .float64, generator: generator).doubles
            let deviation = (power / pow(10, snr / 10)).squareRoot()
            for n in 0..<window { out[n] = Float(noise[n] * deviation) }
        }
        for (n, x) in signal.enumerated() { out[offset + n] += gain * x }
        return out
    }

    /// `signal` played `factor` times faster (shorter and higher for a factor above 1),
    /// by linear interpolation between its samples.
    static func played(_ signal: [Float], faster factor: Double) -> [Float] {
        let count = Swift.max(Int((Double(signal.count) / factor).rounded(.down)), 1)
        return (0..<count).map { n in
            let t = Double(n) * factor, k = Swift.min(Int(t), signal.count - 1)
            let f = Float(t - Double(k))
            return k + 1 < signal.count ? signal[k] * (1 - f) + signal[k + 1] * f : signal[k]
        }
    }
}

extension SpokenDigits {
    /// What a recogniser hears: log-mel spectrograms of 16 kHz audio, 25 ms windows
    /// every 10 ms, in decibels floored 80 dB below each sample's peak.
    public struct Features: Sendable {
        /// The mel spectrogram before decibels.
        public let melSpectrogram: MelSpectrogram

        /// Features of `nMels` bands.
        public init(nMels: Int) {
            melSpectrogram = MelSpectrogram(sampleRate: SpokenDigits.sampleRate, nFFT: 400, hopLength: 160, nMels: nMels)
        }

        /// `[N, samples]` of 16 kHz audio → `[N, 1, nMels, samples / 160 + 1]`.
        public func callAsFunction(_ audio: Tensor) -> Tensor {
            AmplitudeToDB(topDB: 80)(melSpectrogram(audio)).unsqueeze(1)
        }
    }
}
