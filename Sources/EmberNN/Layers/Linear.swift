import Ember

/// `y = x Wᵀ + b` (PyTorch's `nn.Linear`): `[..., inFeatures] -> [..., outFeatures]`.
///
/// `weight` is `[outFeatures, inFeatures]` and `bias` `[outFeatures]`, both initialised
/// from U(−1/√inFeatures, 1/√inFeatures) as PyTorch does.
public final class Linear: Module, Layer {
    /// `[outFeatures, inFeatures]`.
    public let weight: Parameter
    /// `[outFeatures]`, or nil without bias.
    public let bias: Parameter?

    /// A layer from `inFeatures` to `outFeatures`, with a bias unless told otherwise.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: features must be positive, got \(inFeatures) -> \(outFeatures)")
        let bound = 1 / Double(inFeatures).squareRoot()
        weight = Parameter(Tensor.uniform([outFeatures, inFeatures], low: -bound, high: bound, dtype: dtype))
        self.bias = bias ? Parameter(Tensor.uniform([outFeatures], low: -bound, high: bound, dtype: dtype)) : nil
    }

    /// A layer over existing parameters: `weight` `[outFeatures, inFeatures]` and `bias`
    /// `[outFeatures]`. Sharing a parameter ties it (a language model's output layer and
    /// its token embedding, for example); a shared parameter is listed once, under the
    /// name it has first.
    public init(weight: Parameter, bias: Parameter? = nil) {
        precondition(weight.ndim == 2 && (bias == nil || bias!.shape == [weight.shape[0]]),
                     "Linear: weight \(OpMessage.format(weight.shape)) must be 2-D and bias \(OpMessage.format(bias?.shape ?? [])) match its rows")
        self.weight = weight
        self.bias = bias
    }

    /// `[..., inFeatures] -> [..., outFeatures]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.ndim >= 1 && x.shape[x.ndim - 1] == weight.shape[1],
                     "Linear: input \(OpMessage.format(x.shape)) does not end in inFeatures \(weight.shape[1])")
        return x.linear(weight: weight, bias: bias)
    }
}
