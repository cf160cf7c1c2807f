import Ember

/// Windows of a token sequence prepared for masked-language modelling, as BERT: in each
/// window about `maskProbability` of the positions are chosen; a chosen position's
/// input becomes the mask token 80% of the time, a random token 10% and stays as it is
/// 10%, and its target is the original token. Every other target is `ignoreIndex`
/// (−100, `crossEntropy`'s `ignoreIndex`), so the loss covers the chosen positions only.
///
/// The choice is seeded by `seed` and the window's start, so a window is always masked
/// the same way (validation batches are comparable from one evaluation to the next);
/// with a `DataLoader` drawing random windows, training rarely sees a window twice.
public struct MaskedWindows: Dataset {
    /// The tokens, `[N]` int64.
    public let tokens: Tensor
    /// Tokens per window.
    public let length: Int
    /// The input token standing for "predict me".
    public let maskToken: Int
    /// Random replacements are drawn from `0..<randomTokens` (the real tokens).
    public let randomTokens: Int
    /// Share of positions to predict.
    public let maskProbability: Double
    /// Seeds the choices.
    public let seed: UInt64
    /// The target of positions that are not predicted.
    public static let ignoreIndex = -100
    private let values: [Int64]

    /// Masked windows of `length` over `tokens` (`[N]` int64, N ≥ length).
    public init(_ tokens: Tensor, length: Int, maskToken: Int, randomTokens: Int, maskProbability: Double = 0.15, seed: UInt64 = 0) {
        precondition(tokens.ndim == 1 && tokens.dtype == .int64, "MaskedWindows: tokens \(OpMessage.format(tokens.shape)) must be 1-D int64")
        precondition(length > 0 && tokens.shape[0] >= length, "MaskedWindows: \(tokens.shape[0]) tokens hold no window of \(length)")
        precondition(maskProbability > 0 && maskProbability <= 1, "MaskedWindows: maskProbability must be in (0, 1], got \(maskProbability)")
        precondition(randomTokens > 0, "MaskedWindows: randomTokens must be positive")
        self.tokens = tokens
        self.length = length
        self.maskToken = maskToken
        self.randomTokens = randomTokens
        self.maskProbability = maskProbability
        self.seed = seed
        values = tokens.scalars(as: Int64.self)
    }

    /// One window per start position.
    public var count: Int { values.count - length + 1 }

    /// Inputs `[B, length]` (some masked) and targets `[B, length]` (−100 where not
    /// predicted), int64.
    public func batch(_ indices: [Int]) -> Batch {
        var inputs: [Int64] = [], targets: [Int64] = []
        inputs.reserveCapacity(indices.count * length)
        targets.reserveCapacity(indices.count * length)
        for i in indices {
            let random = Generator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i))
            for token in values[i..<(i + length)] {
                guard random.nextUniform() < maskProbability else {
                    inputs.append(token)
                    targets.append(Int64(Self.ignoreIndex))
                    continue
                }
                targets.append(token)
                let action = random.nextUniform()
                if action < 0.8 {
                    inputs.append(Int64(maskToken))
                } else if action < 0.9 {
                    inputs.append(Int64(random.next() % UInt64(randomTokens)))
                } else {
                    inputs.append(token)
                }
            }
        }
        return Batch(inputs: Tensor(inputs, shape: [indices.count, length]), targets: Tensor(targets, shape: [indices.count, length]))
    }
}
