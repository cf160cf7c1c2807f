import Ember
import Foundation

/// Picks the next token from a model's logits: temperature, then top-k and top-p
/// (nucleus) filtering, then a draw from what is left (PyTorch/nanoGPT's recipe).
public struct TokenSampler: Sendable {
    /// Logits are divided by this; 0 picks the most likely token every time.
    public var temperature: Double
    /// Keep only the `topK` most likely tokens, if set.
    public var topK: Int?
    /// Keep only the most likely tokens whose probabilities sum to at least `topP`, if set.
    public var topP: Double?

    /// A sampler; the defaults draw from the model's distribution unchanged.
    public init(temperature: Double = 1, topK: Int? = nil, topP: Double? = nil) {
        precondition(temperature >= 0 && temperature.isFinite, "TokenSampler: temperature must be finite and non-negative, got \(temperature)")
        if let topK { precondition(topK > 0, "TokenSampler: topK must be positive, got \(topK)") }
        if let topP { precondition(topP > 0 && topP <= 1, "TokenSampler: topP must be in (0, 1], got \(topP)") }
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// The index of the next token given `logits` (`[V]`), drawing from `generator`.
    public func sample(_ logits: Tensor, generator: Generator) -> Int {
        precondition(logits.ndim == 1 && logits.numel > 0, "TokenSampler: logits \(OpMessage.format(logits.shape)) must be [V]")
        let values = logits.to(.float64).contiguous().scalars(as: Double.self)
        // Most likely first; ties keep the lower index, so greedy picking is deterministic.
        var order = values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        if temperature == 0 { return order[0] }
        if let topK { order = Array(order.prefix(topK)) }
        let top = values[order[0]]
        var weights = order.map { Foundation.exp((values[$0] - top) / temperature) }
        if let topP {
            let total = weights.reduce(0, +)
            var sum = 0.0, keep = weights.count
            for (i, w) in weights.enumerated() {
                sum += w / total
                if sum >= topP {
                    keep = i + 1
                    break
                }
            }
            weights = Array(weights.prefix(keep))
        }
        let target = generator.nextUniform() * weights.reduce(0, +)
        var sum = 0.0
        for (i, w) in weights.enumerated() {
            sum += w
            if sum > target { return order[i] }
        }
        return order[weights.count - 1]
    }
}
