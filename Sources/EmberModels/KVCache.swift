import Ember

/// The keys and values a GPT has computed for the tokens it has read, per layer, so
/// each new token costs one position's work instead of a pass over the whole context.
///
/// Storage is allocated once for the full context: `[B, blockSize, H, D]` per layer
/// for keys and for values. Used without gradients (generation).
public final class KVCache {
    private let keys: [Tensor], values: [Tensor]
    /// Tokens held.
    public private(set) var length = 0
    /// The most tokens it can hold (the model's context).
    public let capacity: Int

    /// An empty cache for `model` and a batch of `batch` sequences.
    public init(for model: GPT, batch: Int = 1) {
        let c = model.config, shape = [batch, c.blockSize, c.nHead, c.nEmbd / c.nHead]
        let dtype = model.lmHead.weight.dtype
        keys = (0..<c.nLayer).map { _ in Tensor.zeros(shape, dtype: dtype) }
        values = (0..<c.nLayer).map { _ in Tensor.zeros(shape, dtype: dtype) }
        capacity = c.blockSize
    }

    /// Forgets every token.
    public func reset() { length = 0 }

    /// Stores `layer`'s keys and values of the new tokens (`[B, T, H, D]`) after the
    /// held ones and returns all of them, `[B, length + T, H, D]`.
    func append(layer: Int, keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
        let t = newKeys.shape[1]
        precondition(length == 0 || t == 1, "KVCache: a cache holding \(length) tokens takes one new token at a time, got \(t)")
        precondition(length + t <= capacity, "KVCache: \(length) + \(t) tokens exceed the capacity \(capacity)")
        keys[layer].narrow(dim: 1, start: length, length: t).copy(from: newKeys)
        values[layer].narrow(dim: 1, start: length, length: t).copy(from: newValues)
        return (keys[layer].narrow(dim: 1, start: 0, length: length + t),
                values[layer].narrow(dim: 1, start: 0, length: length + t))
    }

    /// Counts the tokens every layer has just appended.
    func advance(by count: Int) { length += count }
}
