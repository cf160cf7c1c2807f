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
