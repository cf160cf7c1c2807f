import Ember

/// 2-D convolution (PyTorch's `nn.Conv2d`): `[N, inChannels, H, W] -> [N, outChannels, oH, oW]`.
///
/// `weight` is `[outChannels, inChannels / groups, kH, kW]`, `bias` `[outChannels]`,
/// both initialised from U(−1/√fanIn, 1/√fanIn) with `fanIn = inChannels / groups · kH · kW`,
/// as PyTorch does.
public final class Conv2d: Module, Layer {
    /// `[outChannels, inChannels / groups, kH, kW]`.
    public let weight: Parameter
    /// `[outChannels]`, or nil without bias.
    public let bias: Parameter?
    /// Step of the window.
    public let stride: Size2D
    /// Zeros added on each side.
    public let padding: Size2D
    /// Spacing between kernel elements.
    public let dilation: Size2D
    /// Channel groups (inputs and outputs are split into this many independent parts).
    public let groups: Int

    /// A convolution from `inChannels` to `outChannels` with a `kernelSize` window.
    public init(inChannels: Int, outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
                dilation: Size2D = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32) {
        precondition(inChannels > 0 && outChannels > 0 && groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: channels \(inChannels) -> \(outChannels) must be positive and divisible by groups \(groups)")
        let fanIn = inChannels / groups * kernelSize.h * kernelSize.w
        let bound = 1 / Double(fanIn).squareRoot()
        weight = Parameter(Tensor.uniform([outChannels, inChannels / groups, kernelSize.h, kernelSize.w],
                                          low: -bound, high: bound, dtype: dtype))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// Max pooling (PyTorch's `nn.MaxPool2d`): `[N, C, H, W] -> [N, C, oH, oW]`.
public final class MaxPool2d: Module, Layer {
    /// Window size.
    public let kernelSize: Size2D
    /// Step of the window (the kernel size by default).
    public let stride: Size2D
    /// Implicit −∞ padding on each side.
    public let padding: Size2D

    /// Max pooling over `kernelSize` windows, every `stride` (default: the kernel size).
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling (PyTorch's `nn.AvgPool2d`): `[N, C, H, W] -> [N, C, oH, oW]`.
public final class AvgPool2d: Module, Layer {
    /// Window size.
    public let kernelSize: Size2D
    /// Step of the window (the kernel size by default).
    public let stride: Size2D
    /// Zero padding on each side.
    public let padding: Size2D
    /// Whether padding counts in the divisor.
    public let countIncludePad: Bool

    /// Average pooling over `kernelSize` windows, every `stride` (default: the kernel size).
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.countIncludePad = countIncludePad
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad)
    }
}

/// Average pooling to a fixed size (PyTorch's `nn.AdaptiveAvgPool2d`):
/// `[N, C, H, W] -> [N, C, outputSize.h, outputSize.w]`.
public final class AdaptiveAvgPool2d: Module, Layer {
    /// Output height and width.
    public let outputSize: Size2D

    /// Pooling to `outputSize`.
    public init(outputSize: Size2D) { self.outputSize = outputSize }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.adaptiveAvgPool2d(outputSize: outputSize) }
}

/// 1-D convolution (PyTorch's `nn.Conv1d`): `[N, inChannels, L] -> [N, outChannels, oL]`.
///
/// `weight` is `[outChannels, inChannels / groups, kernelSize]`, `bias` `[outChannels]`,
/// both from U(−1/√fanIn, 1/√fanIn), `fanIn = inChannels / groups · kernelSize`.
/// `paddingMode` fills the padding with zeros (the default) or with the input itself
/// (`reflect`, `replicate`, `circular`); `Conv1d.same` pads so that, at stride 1, the
/// output is as long as the input (PyTorch's `padding="same"`).
public final class Conv1d: Module, Layer {
    /// `[outChannels, inChannels / groups, kernelSize]`.
    public let weight: Parameter
    /// `[outChannels]`, or nil without bias.
    public let bias: Parameter?
    /// Step of the window.
    public let stride: Int
    /// Entries added on the left and on the right.
    public let padding: (left: Int, right: Int)
    /// Spacing between kernel elements.
    public let dilation: Int
    /// Channel groups.
    public let groups: Int
    /// What the padding holds: nil for zeros.
    public let paddingMode: PaddingMode?

    /// `padding` that keeps the length at stride 1 (the extra entry, when the kernel's
    /// reach is odd, goes on the right, as PyTorch's).
    public static let same = -1

    /// A convolution from `inChannels` to `outChannels` with a `kernelSize` window;
    /// `padding` entries each side (or `Conv1d.same`).
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                groups: Int = 1, bias: Bool = true, paddingMode: PaddingMode? = nil, dtype: DType = .float32) {
        precondition(inChannels > 0 && outChannels > 0 && groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv1d: channels \(inChannels) -> \(outChannels) must be positive and divisible by groups \(groups)")
        precondition(kernelSize > 0 && stride > 0 && dilation > 0 && (padding >= 0 || padding == Self.same),
                     "Conv1d: kernel \(kernelSize), stride \(stride) and dilation \(dilation) must be positive, padding non-negative")
        precondition(padding != Self.same || stride == 1, "Conv1d: padding same needs stride 1, got \(stride)")
        let bound = 1 / Double(inChannels / groups * kernelSize).squareRoot()
        weight = Parameter(Tensor.uniform([outChannels, inChannels / groups, kernelSize], low: -bound, high: bound, dtype: dtype))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, dtype: dtype)) : nil
        self.stride = stride
        let reach = dilation * (kernelSize - 1)
        self.padding = padding == Self.same ? (reach / 2, reach - reach / 2) : (padding, padding)
        self.dilation = dilation
        self.groups = groups
        self.paddingMode = paddingMode
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let w: Tensor = weight, b: Tensor? = bias
        if let paddingMode {
            return x.padLast(left: padding.left, right: padding.right, mode: paddingMode)
                .conv1d(weight: w, bias: b, stride: stride, dilation: dilation, groups: groups)
        }
        if padding.left == padding.right {
            return x.conv1d(weight: w, bias: b, stride: stride, padding: padding.left, dilation: dilation, groups: groups)
        }
        // Uneven zero padding ("same" with an odd reach): the extra zero on the right.
        return x.conv1d(weight: w, bias: b, stride: stride, padding: padding.right, dilation: dilation, groups: groups)
            .narrow(dim: 2, start: padding.right - padding.left, length: outputLength(x.shape[2]))
    }

    /// Output length for an input of `length`.
    private func outputLength(_ length: Int) -> Int {
        (length + padding.left + padding.right - dilation * (weight.shape[2] - 1) - 1) / stride + 1
    }
}

/// Adaptive average pooling (PyTorch's `nn.AdaptiveAvgPool1d`): `[N, C, L] -> [N, C, outputSize]`.
public final class AdaptiveAvgPool1d: Module, Layer {
    /// Output length.
    public let outputSize: Int

    /// Pools any length to `outputSize`.
    public init(outputSize: Int) { self.outputSize = outputSize }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.adaptiveAvgPool1d(outputSize: outputSize) }
}
