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
