import Ember
import EmberNN
import Foundation

/// A speech synthesiser's shape: FastSpeech without attention, 128 wide, three
/// convolutional blocks each side of the length regulator, 80 mel bands.
public struct SynthesizerConfig: ModelConfig {
    public static let kind = ModelKind.synthesizer
    /// The phonemes it knows (espeak-ng mnemonics); phoneme `i` has id `i + 1`, and id 0
    /// pads.
    public var phonemes: [String]
    /// Each word it can say, as its phonemes (from the training corpus).
    public var lexicon: [String: [String]]
    /// Phonemes that end every utterance (espeak-ng's closing pauses).
    public var ending: [String]
    /// The espeak-ng voice it learned from (the teacher), if known.
    public var voice: String?
    /// Channels of every block.
    public var width: Int
    /// Convolutional blocks before and after the length regulator.
    public var encoderLayers: Int, decoderLayers: Int
    /// Their kernel size (odd).
    public var kernelSize: Int
    /// Mel bands out.
    public var nMels: Int
    /// Dropout in every block.
    public var dropout: Double

    /// A configuration for `phonemes`; the other defaults are `ember train speech-tts`'s.
    public init(phonemes: [String], lexicon: [String: [String]] = [:], ending: [String] = [], voice: String? = nil, width: Int = 128,
                encoderLayers: Int = 3, decoderLayers: Int = 3, kernelSize: Int = 5, nMels: Int = 80, dropout: Double = 0.1) {
        self.phonemes = phonemes
        self.lexicon = lexicon
        self.ending = ending
        self.voice = voice
        self.width = width
        self.encoderLayers = encoderLayers
        self.decoderLayers = decoderLayers
        self.kernelSize = kernelSize
        self.nMels = nMels
        self.dropout = dropout
    }

    public func validate() throws {
        guard !phonemes.isEmpty, Set(phonemes).count == phonemes.count else {
            throw ConfigError(keys: ["phonemes"], "phonemes must be distinct and not empty")
        }
        let known = Set(phonemes)
        for (word, spelled) in lexicon.sorted(by: { $0.key < $1.key }) where spelled.isEmpty || !spelled.allSatisfy(known.contains) {
            throw ConfigError(keys: ["lexicon"], "lexicon: '\(word)' must be spelled with known phonemes")
        }
        guard ending.allSatisfy(known.contains) else { throw ConfigError(keys: ["ending"], "ending must be known phonemes") }
        guard voice.map({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) ?? true else {
            throw ConfigError(keys: ["voice"], "voice must be an espeak-ng voice name, got '\(voice ?? "")'")
        }
        try Check.positive(width, "width")
        try Check.positive(encoderLayers, "encoder_layers")
        try Check.positive(decoderLayers, "decoder_layers")
        guard kernelSize > 0 && kernelSize % 2 == 1 else { throw ConfigError(keys: ["kernel_size"], "kernel_size must be odd, got \(kernelSize)") }
        try Check.positive(nMels, "n_mels")
        try Check.probability(dropout, "dropout")
    }

    public func describeState(_ layout: inout StateLayout) throws {
        try layout.embedding("embedding", phonemes.count + 1, width)
        func block(_ prefix: String, kernel: Int) throws {
            try layout.add(prefix + ".conv.weight", [width, width, kernel])
            try layout.add(prefix + ".conv.bias", [width])
            try layout.layerNorm(prefix + ".norm", width)
        }
        for i in 0..<encoderLayers { try block("encoder.\(i)", kernel: kernelSize) }
        for i in 0..<2 { try block("duration.\(i)", kernel: 3) }
        try layout.linear("duration_head", width, 1)
        try layout.linear("position", 1, width)
        for i in 0..<decoderLayers { try block("decoder.\(i)", kernel: kernelSize) }
        try layout.linear("mel_head", width, nMels)
    }

    public func build() -> Synthesizer { Synthesizer(self) }

    public var erased: AnyModelConfig { .synthesizer(self) }

    /// The phoneme ids of `text` (digit words separated by spaces), closed by the
    /// ending; throws naming a word the lexicon lacks.
    public func phonemeIDs(_ text: String) throws -> [Int] {
        let words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," })
        guard !words.isEmpty else { throw ConfigError("there is nothing to say: the text is empty") }
        var spelled: [String] = []
        for word in words {
            guard let phonemes = lexicon[String(word)] else {
                throw ConfigError("'\(word)' is not a word this model learned (it knows \(lexicon.keys.sorted().joined(separator: ", ")))")
            }
            spelled += phonemes
        }
        let ids = Dictionary(uniqueKeysWithValues: phonemes.enumerated().map { ($0.element, $0.offset + 1) })
        return (spelled + ending).compactMap { ids[$0] }
    }
}

/// A convolution over time, ReLU, a residual connection and layer norm over channels
/// (FastSpeech's feed-forward block without its attention): `[N, C, T] -> [N, C, T]`.
public final class ConvBlock: Module, Layer {
    /// `C → C`, "same" padding.
    public let conv: Conv1d
    /// Over the channels of each frame.
    public let norm: LayerNorm
    /// After the activation.
    public let drop: Dropout
    /// Whether the input is added back before the norm.
    public let residual: Bool

    /// A block of `channels` with a `kernelSize` window.
    public init(channels: Int, kernelSize: Int, dropout: Double, residual: Bool = true) {
        conv = Conv1d(inChannels: channels, outChannels: channels, kernelSize: kernelSize, padding: Conv1d.same)
        norm = LayerNorm(normalizedShape: [channels])
        drop = Dropout(p: dropout)
        self.residual = residual
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = drop(conv(x).relu())
        return norm((residual ? x + h : h).transpose(1, 2)).transpose(1, 2)
    }
}

/// A non-autoregressive speech synthesiser in the manner of FastSpeech (Ren et al.,
/// 2019), convolutional throughout (so it needs no positional encoding: each block sees
/// its neighbours, and the length regulator's place-in-phoneme feature orders frames):
///
///     phoneme ids [N, T] → embedding → encoder blocks                [N, C, T]
///     duration predictor: 2 blocks → linear → log(1 + frames)        [N, T]
///     length regulator: each phoneme's column repeated its frames    [N, C, F]
///     + the frame's place within its phoneme (0…1) → linear          [N, C, F]
///     decoder blocks → linear                                        [N, F, nMels]
///
/// Training regulates by the teacher's durations; `synthesize` by the predicted ones.
public final class Synthesizer: Module, Layer {
    /// Phoneme embeddings, row 0 for padding.
    public let embedding: Embedding
    /// Blocks over phonemes.
    public let encoder: [ConvBlock]
    /// Blocks of the duration predictor (no residual).
    public let duration: [ConvBlock]
    /// Width → one log duration a phoneme.
    public let durationHead: Linear
    /// A frame's place within its phoneme → width.
    public let position: Linear
    /// Blocks over frames.
    public let decoder: [ConvBlock]
    /// Width → mel bands.
    public let melHead: Linear

    /// The network `config` describes, freshly initialised.
    public init(_ config: SynthesizerConfig) {
        let w = config.width
        embedding = Embedding(numEmbeddings: config.phonemes.count + 1, embeddingDim: w)
        encoder = (0..<config.encoderLayers).map { _ in ConvBlock(channels: w, kernelSize: config.kernelSize, dropout: config.dropout) }
        duration = (0..<2).map { _ in ConvBlock(channels: w, kernelSize: 3, dropout: config.dropout, residual: false) }
        durationHead = Linear(inFeatures: w, outFeatures: 1)
        position = Linear(inFeatures: 1, outFeatures: w)
        decoder = (0..<config.decoderLayers).map { _ in ConvBlock(channels: w, kernelSize: config.kernelSize, dropout: config.dropout) }
        melHead = Linear(inFeatures: w, outFeatures: config.nMels)
    }

    /// Teacher-forced mels: `[N, 2, T]` int64 (phoneme ids, then each one's frames) →
    /// `[N, F, nMels]`, F the most frames of any row.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.ndim == 3 && x.shape[1] == 2 && x.dtype == .int64,
                     "Synthesizer: input \(OpMessage.format(x.shape)) (\(x.dtype)) must be int64 [N, 2, T]: phoneme ids and their frames")
        return forward(phonemes: x.select(dim: 1, index: 0), frames: x.select(dim: 1, index: 1)).mels
    }

    /// Mels regulated by `frames` and the predicted log durations: phonemes and frames
    /// `[N, T]` int64 → mels `[N, F, nMels]`, log(1 + frames) `[N, T]`.
    public func forward(phonemes: Tensor, frames: Tensor) -> (mels: Tensor, logDurations: Tensor) {
        let (h, logDurations) = encode(phonemes)
        return (decode(regulate(h, frames: frames)), logDurations)
    }

    /// The loss of a batch: the mean absolute error of the mels over real frames plus the
    /// mean squared error of log(1 + frames) over real phonemes (id > 0). `inputs` as
    /// `callAsFunction`'s; `targets` `[N, F, nMels]`.
    public func loss(inputs: Tensor, targets: Tensor) -> Tensor {
        let (phonemes, frames) = (inputs.select(dim: 1, index: 0), inputs.select(dim: 1, index: 1))
        let (mels, logDurations) = forward(phonemes: phonemes, frames: frames)
        let f = Swift.min(mels.shape[1], targets.shape[1])
        let lengths = frames.sum(dim: 1)                                  // [N]
        let frameMask = Tensor.arange(0, Double(f)).unsqueeze(0).lt(lengths.unsqueeze(1).to(.float32)).to(.float32)  // [N, F]
        let melError = ((mels.narrow(dim: 1, start: 0, length: f) - targets.narrow(dim: 1, start: 0, length: f)).abs()
            * frameMask.unsqueeze(2)).sum() / (frameMask.sum() * Double(mels.shape[2])).clamp(min: 1)
        let real = phonemes.gt(0).to(.float32)
        let target = (frames.to(.float32) + 1).log()
        let durationError = ((logDurations - target).pow(2) * real).sum() / real.sum().clamp(min: 1)
        return melError + durationError
    }

    /// Mels for one utterance's phoneme ids, each phoneme as long as predicted (1 to
    /// `longestPhoneme` frames): `[F, nMels]`. `frames` overrides the prediction (the
    /// teacher's durations; they must add up to at least one frame).
    public func synthesize(_ ids: [Int], frames: [Int]? = nil) -> Tensor {
        precondition(!ids.isEmpty && (frames.map { $0.count == ids.count && $0.reduce(0, +) > 0 } ?? true),
                     "Synthesizer.synthesize: \(ids.count) phonemes need as many durations, adding up to a frame or more; got \(frames ?? [])")
        eval()
        return withNoGrad {
            let (h, logDurations) = encode(Tensor(ids.map(Int64.init), shape: [1, ids.count]))
            let lengths = frames ?? logDurations.to(.float64).doubles.map(Self.frames)
            return decode(regulate(h, frames: Tensor(lengths.map(Int64.init), shape: [1, ids.count])))[0]
        }
    }

    /// Most frames a predicted duration may take (1.2 s at 22,050 Hz and a hop of 256).
    public static let longestPhoneme = 100

    /// The frames a predicted log(1 + frames) means: rounded, from 1 (every phoneme is
    /// heard) to `longestPhoneme` (NaN: 1).
    static func frames(_ logDuration: Double) -> Int {
        let frames = (Foundation.exp(logDuration) - 1).rounded()
        return frames.isNaN ? 1 : Int(Swift.min(Swift.max(frames, 1), Double(longestPhoneme)))
    }

    /// The encoder's features `[N, C, T]` and the predicted log(1 + frames) `[N, T]` of
    /// phoneme ids `[N, T]`.
    private func encode(_ phonemes: Tensor) -> (features: Tensor, logDurations: Tensor) {
        var h = embedding(phonemes).transpose(1, 2)
        for block in encoder { h = block(h) }
        var d = h
        for block in duration { d = block(d) }
        return (h, durationHead(d.transpose(1, 2)).squeeze(2))
    }

    /// Each phoneme's column repeated its frames, padded with zeros to the longest row,
    /// plus the frame's place within its phoneme: `[N, C, T]` → `[N, C, F]`.
    private func regulate(_ h: Tensor, frames: Tensor) -> Tensor {
        let counts = (0..<frames.shape[0]).map { frames[$0].contiguous().ints }
        let longest = counts.map { $0.reduce(0, +) }.max() ?? 0
        let rows = counts.enumerated().map { n, row -> Tensor in
            let stretched = h[n].repeatInterleave(Tensor(row.map(Int64.init)), dim: 1)          // [C, F_n]
            let padding = longest - stretched.shape[1]
            return padding == 0 ? stretched : Tensor.cat([stretched, Tensor.zeros([h.shape[1], padding], dtype: h.dtype)], dim: 1)
        }
        let places = counts.flatMap { row -> [Float] in
            row.flatMap { d in (0..<d).map { (Float($0) + 0.5) / Float(d) } } + [Float](repeating: 0, count: longest - row.reduce(0, +))
        }
        let place = position(Tensor(places, shape: [counts.count, longest, 1])).transpose(1, 2)   // [N, C, F]
        return Tensor.stack(rows, dim: 0) + place
    }

    /// Decoder blocks and the mel head: `[N, C, F]` → `[N, F, nMels]`.
    private func decode(_ x: Tensor) -> Tensor {
        var h = x
        for block in decoder { h = block(h) }
        return melHead(h.transpose(1, 2))
    }
}
