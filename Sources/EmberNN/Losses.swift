import Ember

/// How a loss combines its per-element values.
public enum Reduction: Sendable {
    /// The mean (over non-ignored targets, for classification losses).
    case mean
    /// The sum.
    case sum
    /// No reduction: one loss per element.
    case none
}

/// Cross-entropy between `logits` and class indices, with the log-softmax fused in
/// (PyTorch's `F.cross_entropy`).
///
/// - Parameters:
///   - logits: `[N, C]`, or `[N, C, d…]` for per-position classes.
///   - targets: int64 class indices `[N]` (or `[N, d…]`) in `0..<C`.
///   - reduction: `.mean` over the counted targets (the default), `.sum`, or `.none`.
///   - labelSmoothing: ε mixes the one-hot target with the uniform distribution:
///     `(1 − ε) · (−log p_y) + ε · mean_c(−log p_c)`.
///   - ignoreIndex: targets equal to it contribute nothing and are left out of the mean.
/// - Returns: a scalar, or `[N]` (`[N, d…]`) with `.none`.
public func crossEntropy(_ logits: Tensor, _ targets: Tensor, reduction: Reduction = .mean,
                         labelSmoothing: Double = 0, ignoreIndex: Int? = nil) -> Tensor {
    precondition(logits.ndim >= 2, "crossEntropy: logits \(OpMessage.format(logits.shape)) must be [N, C] or [N, C, ...]")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing must be in [0, 1], got \(labelSmoothing)")
    let classesLast = logits.ndim == 2 ? logits : logits.permute([0] + Array(2..<logits.ndim) + [1])
    let logProbabilities = classesLast.reshape([-1, logits.shape[1]]).logSoftmax(dim: 1)        // [M, C]
    return negativeLogLikelihood(logProbabilities, targets, labelSmoothing: labelSmoothing, ignoreIndex: ignoreIndex,
                                 reduction: reduction, op: "crossEntropy", inputShape: logits.shape)
}

/// Negative log-likelihood of class indices under log-probabilities (PyTorch's
/// `F.nll_loss`): `logProbabilities` `[N, C]`, `targets` `[N]` int64.
public func nllLoss(_ logProbabilities: Tensor, _ targets: Tensor, reduction: Reduction = .mean,
                    ignoreIndex: Int? = nil) -> Tensor {
    precondition(logProbabilities.ndim == 2, "nllLoss: input \(OpMessage.format(logProbabilities.shape)) must be [N, C]")
    return negativeLogLikelihood(logProbabilities, targets, labelSmoothing: 0, ignoreIndex: ignoreIndex,
                                 reduction: reduction, op: "nllLoss", inputShape: logProbabilities.shape)
}

/// Mean squared error `(input − target)²` (PyTorch's `F.mse_loss`); shapes broadcast.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let d = input - target
    return reduce(d * d, reduction)
}

/// Mean absolute error `|input − target|` (PyTorch's `F.l1_loss`).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    reduce((input - target).abs(), reduction)
}

/// Binary cross-entropy of probabilities (PyTorch's `F.binary_cross_entropy`): the
/// logarithms are clamped at −100 as PyTorch does, so 0 and 1 give finite losses.
public func binaryCrossEntropy(_ probabilities: Tensor, _ targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(probabilities.shape == targets.shape,
                 OpMessage.mismatch(op: "binaryCrossEntropy", probabilities.shape, targets.shape))
    let logP = probabilities.log().clamp(min: -100), logQ = (1.0 - probabilities).log().clamp(min: -100)
    return reduce(-(targets * logP + (1.0 - targets) * logQ), reduction)
}

/// Binary cross-entropy with the sigmoid fused in, computed stably (PyTorch's
/// `F.binary_cross_entropy_with_logits`): `max(x, 0) − x·y + log(1 + e^−|x|)`.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(logits.shape == targets.shape,
                 OpMessage.mismatch(op: "binaryCrossEntropyWithLogits", logits.shape, targets.shape))
    let loss = logits.relu() - logits * targets + ((-logits.abs()).exp() + 1.0).log()
    return reduce(loss, reduction)
}

/// `Σ |p|` over every parameter: add `λ · l1Penalty(…)` to a loss for L1 regularisation.
public func l1Penalty(_ parameters: [Parameter]) -> Tensor {
    parameters.map { $0.abs().sum() }.reduce(Tensor(scalar: 0), +)
}

/// `Σ p²` over every parameter: add `λ · l2Penalty(…)` to a loss for L2 regularisation.
public func l2Penalty(_ parameters: [Parameter]) -> Tensor {
    parameters.map { ($0 * $0).sum() }.reduce(Tensor(scalar: 0), +)
}

private func reduce(_ loss: Tensor, _ reduction: Reduction) -> Tensor {
    switch reduction {
    case .mean: return loss.mean()
    case .sum: return loss.sum()
    case .none: return loss
    }
}

/// `−log p[target]`, smoothed and masked, over `[M, C]` log-probabilities.
private func negativeLogLikelihood(_ logProbabilities: Tensor, _ targets: Tensor, labelSmoothing: Double,
                                   ignoreIndex: Int?, reduction: Reduction, op: String, inputShape: [Int]) -> Tensor {
    let classes = logProbabilities.shape[1]
    let expectedTargets = [inputShape[0]] + Array(inputShape.dropFirst(2))
    precondition(targets.shape == expectedTargets,
                 "\(op): targets \(OpMessage.format(targets.shape)) do not match input \(OpMessage.format(inputShape)) (expected \(OpMessage.format(expectedTargets)))")
    precondition(!targets.dtype.isFloatingPoint, OpMessage.dtype(op: op, targets.dtype, expected: "int64 class indices"))
    var flat = targets.reshape([-1]).to(.int64)                                     // [M]
    var keep: Tensor? = nil
    if let ignoreIndex {
        let ignored = flat.eq(Double(ignoreIndex))
        keep = ignored.logicalNot().to(logProbabilities.dtype)                    // [M]
        flat = flat.maskedFill(ignored, 0)
    }
    if flat.numel > 0 {
        let low = Int(flat.min().item()), high = Int(flat.max().item())
        precondition(low >= 0 && high < classes, "\(op): target \(low < 0 ? low : high) is out of range for \(classes) classes")
    }
    let picked = -logProbabilities.gather(dim: 1, index: flat.unsqueeze(1)).squeeze(1)   // [M]
    var loss = picked
    if labelSmoothing > 0 {
        let uniform = -logProbabilities.mean(dim: 1)                                // [M]
        loss = picked * (1 - labelSmoothing) + uniform * labelSmoothing
    }
    if let keep { loss = loss * keep }
    switch reduction {
    case .none: return loss.reshape(targets.shape)
    case .sum: return loss.sum()
    case .mean:
        guard let keep else { return loss.mean() }
        return loss.sum() / keep.sum()
    }
}
