extension Tensor {
    /// Layer normalisation over the trailing dimensions `normalizedShape` (PyTorch's
    /// `F.layer_norm`): `(x − mean) / √(var + eps) · weight + bias`, with the biased
    /// variance; `weight` and `bias` are shaped `normalizedShape`.
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) -> Tensor {
        let k = normalizedShape.count
        precondition(k > 0 && ndim >= k && Array(shape.suffix(k)) == normalizedShape,
                     "layerNorm: input \(ShapeMessage.format(shape)) does not end in \(ShapeMessage.format(normalizedShape))")
        let dims = Array((ndim - k)..<ndim)
        let centered = self - mean(dims: dims, keepDim: true)
        var y = centered * ((centered * centered).mean(dims: dims, keepDim: true) + eps).rsqrt()
        if let weight { y = y * weight }
        if let bias { y = y + bias }
        return y
    }
}

extension Tensor {
    /// Batch normalisation over dimension 1 of `[N, C, ...]` (PyTorch's `F.batch_norm`).
    ///
    /// In `training`, each channel is normalised by the batch's mean and biased variance,
    /// and `runningMean`/`runningVar` (`[C]`, if given) move towards the batch's mean and
    /// unbiased variance by `momentum`, in place. Otherwise the running statistics are
    /// used. `weight` and `bias` are `[C]`. One fused kernel each way; its backward is not
    /// itself differentiable (`createGraph` records nothing through it).
    public func batchNorm(runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
                          training: Bool, momentum: Double = 0.1, eps: Double = 1e-5) -> Tensor {
        precondition(ndim >= 2 && dtype.isFloatingPoint, "batchNorm: input \(ShapeMessage.format(shape)) must be a float tensor [N, C, ...]")
        let c = shape[1]
        for (name, t) in [("runningMean", runningMean), ("runningVar", runningVar), ("weight", weight), ("bias", bias)] {
            if let t {
                precondition(t.shape == [c] && t.dtype == dtype, "batchNorm: \(name) \(ShapeMessage.format(t.shape)) must be [\(c)] of \(dtype)")
            }
        }
        precondition(training || (runningMean != nil && runningVar != nil), "batchNorm: evaluation needs running statistics")
        let x = contiguous(), w = weight?.contiguous(), b = bias?.contiguous()
        let fixedMean: Tensor?, fixedInvstd: Tensor?
        if training {
            (fixedMean, fixedInvstd) = (nil, nil)
        } else {
            fixedMean = runningMean!.contiguous()
            fixedInvstd = withNoGrad { (runningVar! + eps).rsqrt() }
        }
        let (out, mean, invstd) = Kernels.batchNorm(x, weight: w, bias: b, mean: fixedMean, invstd: fixedInvstd, eps: eps)
        if training, let runningMean, let runningVar {
            let m = Double(x.numel / c)
            withNoGrad {
                let variance = (invstd * invstd).pow(-1) - eps
                runningMean.copy(from: runningMean * (1 - momentum) + mean * momentum)
                runningVar.copy(from: runningVar * (1 - momentum) + variance * (momentum * m / Swift.max(m - 1, 1)))
            }
        }
        var inputs = [x]
        if let w { inputs.append(w) }
        if let b { inputs.append(b) }
        return out.recorded("batchNorm", inputs) { g in
            let grads = Kernels.batchNormBackward(x, g.contiguous(), weight: w, mean: mean, invstd: invstd, batchStatistics: training)
            var result: [Tensor?] = [grads.input]
            if w != nil { result.append(grads.weight) }
            if b != nil { result.append(grads.bias) }
            return result
        }
    }
}
