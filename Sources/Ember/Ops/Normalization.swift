extension Tensor {
    /// Layer normalisation over the trailing dimensions `normalizedShape` (PyTorch's
    /// `F.layer_norm`): `(x − mean) / √(var + eps) · weight + bias`, with the biased
    /// variance; `weight` and `bias` broadcast to `normalizedShape`. One fused pass over
    /// the rows each way (the backward pass records its formula in ops only when
    /// gradients of gradients are asked for).
    public func layerNorm(normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5) -> Tensor {
        let k = normalizedShape.count
        precondition(k > 0 && ndim >= k && Array(shape.suffix(k)) == normalizedShape,
                     "layerNorm: input \(OpMessage.format(shape)) does not end in \(OpMessage.format(normalizedShape))")
        precondition(dtype.isFloatingPoint, OpMessage.dtype(op: "layerNorm", dtype, expected: "float32 or float64"))
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t {
                precondition(Shape.broadcast(t.shape, normalizedShape) == normalizedShape && t.dtype == dtype,
                             "layerNorm: \(name) \(OpMessage.format(t.shape)) must broadcast to \(OpMessage.format(normalizedShape)) as \(dtype)")
            }
        }
        let width = Shape.count(normalizedShape), dims = Array((ndim - k)..<ndim)
        let x = contiguous(), w = weight?.expand(normalizedShape).contiguous(), b = bias?.expand(normalizedShape).contiguous()
        // The kernels always scale and shift: by ones and zeros when there is no weight or bias.
        let scale = w ?? Tensor.ones(normalizedShape, dtype: dtype)
        let (out, mean, invstd) = Kernels.layerNorm(x, width: width, weight: scale,
                                                    bias: b ?? Tensor.zeros(normalizedShape, dtype: dtype), eps: eps)
        let inputs = [x] + [w, b].compactMap { $0 }
        return out.recorded("layerNorm", inputs) { g in
            let dx: Tensor, dw: Tensor, db: Tensor
            if GradMode.isEnabled {
                // createGraph: the same gradients from differentiable ops.
                let centered = x - x.mean(dims: dims, keepDim: true)
                let inv = ((centered * centered).mean(dims: dims, keepDim: true) + eps).rsqrt(), xhat = centered * inv
                let gw = w.map { g * $0 } ?? g
                dx = inv * (gw - gw.mean(dims: dims, keepDim: true) - xhat * (gw * xhat).mean(dims: dims, keepDim: true))
                dw = (g * xhat).sumTo(normalizedShape)
                db = g.sumTo(normalizedShape)
            } else {
                let fused = Kernels.layerNormBackward(x, g.contiguous(), width: width, weight: scale, mean: mean, invstd: invstd)
                (dx, dw, db) = (fused.input, fused.weight.reshape(normalizedShape), fused.bias.reshape(normalizedShape))
            }
            return [dx] + (w == nil ? [] : [dw]) + (b == nil ? [] : [db])
        }
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
        precondition(ndim >= 2 && dtype.isFloatingPoint, "batchNorm: input \(OpMessage.format(shape)) must be a float tensor [N, C, ...]")
        let c = shape[1]
        for (name, t) in [("runningMean", runningMean), ("runningVar", runningVar), ("weight", weight), ("bias", bias)] {
            if let t {
                precondition(t.shape == [c] && t.dtype == dtype, "batchNorm: \(name) \(OpMessage.format(t.shape)) must be [\(c)] of \(dtype)")
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
