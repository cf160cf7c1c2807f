import Ember

/// Rosenblatt's perceptron: one neuron, `y = f(w · x + b)`, `[N, inFeatures] -> [N]`.
///
/// With the `step` activation it outputs 0 or 1 and learns with the classic rule
/// (`learn`), which converges on linearly separable data; with `sigmoid` it outputs a
/// probability and can be trained by gradient descent like any module.
public final class Perceptron: Module, Layer {
    /// What the neuron applies to `w · x + b`.
    public enum Activation: Sendable {
        /// 1 where `w · x + b ≥ 0`, else 0 (no gradient).
        case step
        /// The logistic sigmoid.
        case sigmoid
    }

    /// `[inFeatures]`.
    public let weight: Parameter
    /// A scalar.
    public let bias: Parameter
    /// The output function.
    public let activation: Activation

    /// A perceptron with zero weights and bias.
    public init(inFeatures: Int, activation: Activation = .step, dtype: DType = .float32) {
        precondition(inFeatures > 0, "Perceptron: inFeatures must be positive, got \(inFeatures)")
        weight = Parameter(Tensor.zeros([inFeatures], dtype: dtype))
        bias = Parameter(Tensor.zeros([], dtype: dtype))
        self.activation = activation
    }

    /// `[N, inFeatures] -> [N]` (0/1 for `step`, probabilities for `sigmoid`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let z = x.matmul(weight) + bias
        switch activation {
        case .step: return z.ge(0).to(weight.dtype)
        case .sigmoid: return z.sigmoid()
        }
    }

    /// The perceptron learning rule: for each sample in order, `w += lr (y − ŷ) x` and
    /// `b += lr (y − ŷ)`, repeated until an epoch makes no mistake or `maxEpochs` pass.
    ///
    /// - Parameters:
    ///   - x: `[N, inFeatures]` samples.
    ///   - targets: `[N]` labels, 0 or 1.
    ///   - learningRate: the step `lr` of each correction.
    ///   - maxEpochs: passes over the data at most.
    /// - Returns: the mistakes made in each epoch; the last is 0 if it converged.
    @discardableResult
    public func learn(_ x: Tensor, _ targets: Tensor, learningRate: Double = 1, maxEpochs: Int = 100) -> [Int] {
        precondition(x.ndim == 2 && x.shape[1] == weight.shape[0] && targets.shape == [x.shape[0]],
                     "Perceptron.learn: samples \(OpMessage.format(x.shape)) and targets \(OpMessage.format(targets.shape)) do not fit \(weight.shape[0]) features")
        let samples = x.to(weight.dtype).contiguous(), labels = targets.to(.float64).doubles
        var history: [Int] = []
        withNoGrad {
            for _ in 0..<maxEpochs {
                var mistakes = 0
                for i in 0..<labels.count {
                    let xi = samples[i]
                    let predicted: Double = (xi.matmul(weight) + bias).item() >= 0 ? 1 : 0
                    let error = labels[i] - predicted
                    guard error != 0 else { continue }
                    mistakes += 1
                    weight += xi * (learningRate * error)
                    bias += Tensor(scalar: learningRate * error, dtype: bias.dtype)
                }
                history.append(mistakes)
                if mistakes == 0 { break }
            }
        }
        return history
    }
}
