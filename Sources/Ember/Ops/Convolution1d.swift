/// Convolution, padding and pooling over `[N, C, L]` sequences (PyTorch's `F.conv1d`,
/// `F.pad` along the last dimension, `F.adaptive_avg_pool1d`): the 2-D kernels run on a
/// height of one, so gradients come with them.
extension Tensor {
    /// 1-D cross-correlation: `[N, C, L]` with weight `[O, C / groups, K]` and optional
    /// bias `[O]` gives `[N, O, oL]`, `oL = (L + 2·padding − dilation·(K − 1) − 1) / stride + 1`.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                       groups: Int = 1) -> Tensor {
        precondition(ndim == 3 && weight.ndim == 3,
                     "conv1d: input \(OpMessage.format(shape)) and weight \(OpMessage.format(weight.shape)) must both be 3-D")
        return unsqueeze(2).conv2d(weight: weight.unsqueeze(2), bias: bias, stride: Size2D(1, stride), padding: Size2D(0, padding),
                                   dilation: Size2D(1, dilation), groups: groups).squeeze(2)
    }

    /// The last dimension padded by `left` and `right` entries taken from the tensor
    /// itself: mirrored without repeating the edge (`reflect`), the edge repeated
    /// (`replicate`), or wrapped around (`circular`), as `F.pad` does.
    public func padLast(left: Int, right: Int, mode: PaddingMode) -> Tensor {
        let length = shape[ndim - 1]
        precondition(left >= 0 && right >= 0, "padLast: padding \(left), \(right) must be non-negative")
        precondition(mode != .reflect || (left < length && right < length),
                     "padLast: reflect padding \(left), \(right) must be smaller than the length \(length)")
        precondition(length > 0 || left + right == 0, "padLast: cannot pad an empty dimension")
        let positions = (-left..<(length + right)).map { i -> Int in
            switch mode {
            case .reflect:
                let period = 2 * Swift.max(length - 1, 1)
                let j = ((i % period) + period) % period
                return length == 1 ? 0 : (j < length ? j : period - j)
            case .replicate: return Swift.min(Swift.max(i, 0), length - 1)
            case .circular: return ((i % length) + length) % length
            }
        }
        return indexSelect(dim: -1, index: Tensor(positions.map(Int64.init)))
    }

    /// Average pooling to `outputSize` with PyTorch's adaptive bins: `[N, C, L] -> [N, C, outputSize]`.
    public func adaptiveAvgPool1d(outputSize: Int) -> Tensor {
        precondition(ndim == 3, "adaptiveAvgPool1d: input \(OpMessage.format(shape)) must be 3-D")
        return unsqueeze(2).adaptiveAvgPool2d(outputSize: Size2D(1, outputSize)).squeeze(2)
    }
}

/// How `padLast` fills the new entries (PyTorch's `padding_mode` and `F.pad` modes
/// besides zeros).
public enum PaddingMode: String, Sendable, CaseIterable {
    /// Mirrored without repeating the edge: `[c b | a b c d | c b]`.
    case reflect
    /// The edge repeated: `[a a | a b c d | d d]`.
    case replicate
    /// Wrapped around: `[c d | a b c d | a b]`.
    case circular
}
